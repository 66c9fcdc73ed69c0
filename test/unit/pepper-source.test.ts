import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { LOCAL_DEVELOPMENT_PEPPER, pepperSourceFor, secretsManagerPepperSource } from '#lib/adapters/secrets/pepper.ts';
import { loadConfig } from '#lib/config.ts';

/** A fake Secrets Manager endpoint speaking the JSON protocol of GetSecretValue. */
let requests: { target: string; body: any }[] = [];
let secret: string | undefined = 'x'.repeat(64);
let failing = false;
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    requests.push({ target: String(request.headers['x-amz-target']), body: JSON.parse(body) });
    const status = failing ? 500 : 200;
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(failing ? { __type: 'InternalServiceError', message: 'down' } : { ARN: 'arn:x', Name: 'pepper', ...(secret !== undefined ? { SecretString: secret } : {}) }));
  });
});
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hotmart-enrollments/prod/hottok-pepper-AbCdEf';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
});
after(() => server.close());

const tables = { EVENTS_TABLE: 'e-x', ENROLLMENTS_TABLE: 'n-x', MAPPINGS_TABLE: 'm-x', QUARANTINE_TABLE: 'q-x', RECONCILIATIONS_TABLE: 'r-x', SCHOOLS_TABLE: 's-x', FEED_TABLE: 'f-x', AUDIT_TABLE: 'a-x' };

describe('the pepper source', () => {
  it('reads the secret once per container and keeps it', async () => {
    requests = [];
    const source = secretsManagerPepperSource({ secretArn: ARN, region: 'us-east-1' });
    const [first, second] = await Promise.all([source(), source()]);
    assert.deepEqual(first, Buffer.from('x'.repeat(64)));
    assert.equal(second, first);
    assert.deepEqual(await source(), first);
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.target, 'secretsmanager.GetSecretValue');
    assert.deepEqual(requests[0]!.body, { SecretId: ARN });
  });

  it('asks again after a failed read, and refuses a secret too short to be a pepper without quoting it', async () => {
    requests = [];
    failing = true;
    const source = secretsManagerPepperSource({ secretArn: ARN, region: 'us-east-1' });
    await assert.rejects(source());
    failing = false;
    secret = 'short-value';
    await assert.rejects(source(), (error: Error) => error.name === 'PepperError' && error.message.includes(ARN) && !error.message.includes('short-value'));
    secret = 'y'.repeat(40);
    assert.deepEqual(await source(), Buffer.from('y'.repeat(40)));
    assert.ok(requests.length >= 3);
  });

  it('is the clearly named local stand-in outside AWS, the secret in AWS, and fails the cold start in AWS without one', async () => {
    assert.equal(await pepperSourceFor(loadConfig({ ...tables }))(), LOCAL_DEVELOPMENT_PEPPER);
    assert.equal(await pepperSourceFor(loadConfig({ ...tables, IS_OFFLINE: 'true', AWS_LAMBDA_FUNCTION_NAME: 'webhook', HOTTOK_PEPPER_SECRET_ARN: ARN }))(), LOCAL_DEVELOPMENT_PEPPER);
    secret = 'z'.repeat(48);
    const inAws = pepperSourceFor(loadConfig({ ...tables, AWS_LAMBDA_FUNCTION_NAME: 'webhook', HOTTOK_PEPPER_SECRET_ARN: ARN }));
    assert.deepEqual(await inAws(), Buffer.from('z'.repeat(48)));
    assert.throws(() => pepperSourceFor(loadConfig({ ...tables, AWS_LAMBDA_FUNCTION_NAME: 'webhook' })), /HOTTOK_PEPPER_SECRET_ARN is not set/);
  });
});
