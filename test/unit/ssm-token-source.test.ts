import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { STALE_TOKENS_MAX_MS, ssmTokenSource } from '#lib/adapters/ssm/token-parameters.ts';
import { loadConfig } from '#lib/config.ts';
import { webhookHandler } from '#lib/http/webhook.ts';
import type { Logger } from '#lib/logger.ts';
import type { ReceiveDeps } from '#lib/services/receive-webhook.ts';
import { invoke } from '../helpers/stack.ts';

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

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
});
after(() => server.close());

describe('webhook tokens from SSM', () => {
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

  it('keeps serving the last good tokens while SSM fails, for up to an hour, logged, asking again every 30 s', async () => {
    failing = false;
    requests = [];
    parameters = [{ Name: '/outage/current', Value: 'still-good' }];
    let clock = 1_000_000;
    const logged: { level: string; message: string; fields: string }[] = [];
    const log = (level: string) => (message: string, fields = {}) => logged.push({ level, message, fields: JSON.stringify(fields) });
    const tokens = ssmTokenSource('/outage', 'us-east-1', { now: () => clock, logger: { warn: log('WARN'), error: log('ERROR') } });
    assert.deepEqual(await tokens(), ['still-good']);

    failing = true;
    clock += 5 * 60 * 1000 + 1; // the cache is due for a refresh, and SSM fails
    assert.deepEqual(await tokens(), ['still-good']);
    const asked = requests.length;
    assert.ok(asked >= 2);
    assert.deepEqual(logged.map((l) => l.level), ['WARN']);
    assert.ok(!logged.some((l) => `${l.message}${l.fields}`.includes('still-good')), 'a token was logged');
    clock += 29_000; // within the 30 s back-off: no SSM read
    assert.deepEqual(await tokens(), ['still-good']);
    assert.equal(requests.length, asked);
    clock += 2_000;
    assert.deepEqual(await tokens(), ['still-good']);
    assert.ok(requests.length > asked, 'SSM was not asked again after the back-off');

    clock = 1_000_000 + STALE_TOKENS_MAX_MS; // an hour after the last good read: refused until SSM answers
    await assert.rejects(tokens());
    assert.equal(logged.at(-1)!.level, 'ERROR');
    failing = false;
    assert.deepEqual(await tokens(), ['still-good']);
  });
});

describe('the webhook’s token reads', () => {
  const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
  const tables = { EVENTS_TABLE: 'e-x', ENROLLMENTS_TABLE: 'n-x', MAPPINGS_TABLE: 'm-x', QUARANTINE_TABLE: 'q-x', RECONCILIATIONS_TABLE: 'r-x' };
  const webhook = (path: string) => webhookHandler(loadConfig({ ...tables, AWS_REGION: 'us-east-1', HOTTOK_SSM_PATH: path }), {} as ReceiveDeps, logger);
  const post = (handler: unknown, headers: Record<string, string>, body = '{}') => invoke(handler as never, { method: 'POST', path: '/webhooks/hotmart', headers, body });
  const get = (handler: unknown) => invoke(handler as never, { method: 'GET', path: '/webhooks/hotmart' });

  it('refuses a POST that presents no token without reading SSM', async () => {
    failing = false;
    requests = [];
    parameters = [{ Name: '/cold/current', Value: 'the-token' }];
    const handler = webhook('/cold');
    const tokenless: Record<string, string>[] = [{ 'content-type': 'application/json' }, { 'content-type': 'application/json', 'x-hotmart-hottok': '' }, { 'content-type': 'application/x-www-form-urlencoded' }];
    for (const headers of tokenless) {
      assert.equal((await post(handler, headers, headers['content-type']!.includes('form') ? 'status=approved' : '{}')).statusCode, 401);
    }
    assert.equal(requests.length, 0);
    assert.equal((await post(handler, { 'content-type': 'application/json', 'x-hotmart-hottok': 'wrong' })).statusCode, 401);
    assert.equal(requests.length, 1);
  });

  it('answers the health GET 200 only when a token is configured, reading SSM once per refresh', async () => {
    failing = false;
    requests = [];
    parameters = [];
    const none = await get(webhook('/none'));
    assert.equal(none.statusCode, 503);
    assert.equal(none.body.error.code, 'CONFIG.TOKEN_MISSING');
    assert.match(none.body.error.message, /no token configured/);

    parameters = [{ Name: '/health/current', Value: 'health-token-secret' }];
    const handler = webhook('/health');
    requests = [];
    for (let i = 0; i < 3; i++) {
      const up = await get(handler);
      assert.equal(up.statusCode, 200);
      assert.match(up.body.message, /endpoint is up/);
      assert.ok(!up.rawBody.includes('health-token-secret'));
    }
    assert.equal(requests.length, 1);
  });
});
