import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ssmTokenSource } from '../../lib/adapters/ssm/token-parameters.ts';

/** A fake SSM endpoint speaking the JSON protocol of GetParametersByPath. */
let requests: { target: string; body: any }[] = [];
let parameters: { Name: string; Value: string }[] = [];
let failing = false;
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    requests.push({ target: String(request.headers['x-amz-target']), body: JSON.parse(body) });
    if (failing) {
      response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: 'InternalServerError', message: 'down' }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ Parameters: parameters.map((p) => ({ ...p, Type: 'SecureString' })) }));
  });
});

describe('webhook tokens from SSM', () => {
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
  });
  after(() => server.close());

  it('reads current and previous under the path, decrypted, once per container', async () => {
    requests = [];
    parameters = [
      { Name: '/hotmart-enrollments/prod/hottok/current', Value: 'new-token' },
      { Name: '/hotmart-enrollments/prod/hottok/previous', Value: 'old-token' },
      { Name: '/hotmart-enrollments/prod/hottok/unrelated', Value: 'ignored' },
    ];
    const tokens = ssmTokenSource('/hotmart-enrollments/prod/hottok', 'us-east-1');
    const [first, concurrent] = await Promise.all([tokens(), tokens()]);
    assert.deepEqual(first, ['new-token', 'old-token']);
    assert.deepEqual(concurrent, first);
    assert.deepEqual(await tokens(), first);
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.target, 'AmazonSSM.GetParametersByPath');
    assert.deepEqual(requests[0]!.body, { Path: '/hotmart-enrollments/prod/hottok', WithDecryption: true });
  });

  it('yields no token when none is configured, so the webhook refuses every delivery', async () => {
    parameters = [];
    assert.deepEqual(await ssmTokenSource('/empty', 'us-east-1')(), []);
  });

  it('throws when SSM fails, and asks again on the next delivery', async () => {
    failing = true;
    requests = [];
    const tokens = ssmTokenSource('/flaky', 'us-east-1');
    await assert.rejects(tokens());
    failing = false;
    parameters = [{ Name: '/flaky/current', Value: 'back' }];
    assert.deepEqual(await tokens(), ['back']);
  });
});
