import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { checkEndpoint, checkEndpointUrl } from '#lib/adapters/webhooks/endpoint-guard.ts';
import type { LookupAll } from '#lib/adapters/webhooks/endpoint-guard.ts';
import { sendWebhook } from '#lib/adapters/webhooks/send.ts';
import type { SendResult } from '#lib/adapters/webhooks/send.ts';
import { newSecret } from '#lib/adapters/webhooks/sign.ts';

/** A platform's endpoint on 127.0.0.1: answers each path's status; /hang never answers. */
type Received = { method: string; path: string; headers: IncomingMessage['headers']; body: string };
let received: Received[] = [];
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received.push({ method: request.method!, path: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString() });
    if (request.url === '/hang') return;
    const status = Number(request.url!.slice(1)) || 200;
    response.writeHead(status, status === 302 ? { location: 'http://169.254.169.254/latest/meta-data/' } : {});
    response.end('{"answer":"from the platform"}');
  });
});
let base = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections(); // the /hang request's connection
  server.close();
});
beforeEach(() => (received = []));

const secret = newSecret();
const body = '{"id":"evt_01","type":"enrollment.granted","enrollment":{"email":"ana@example.com","status":"active"}}';
const results: SendResult[] = [];
const send = async (path: string, options: Partial<Parameters<typeof sendWebhook>[1]> = {}) => {
  const result = await sendWebhook({ url: `${base}${path}`, id: 'evt_01', body, secrets: [secret] }, { local: true, ...options });
  results.push(result);
  return result;
};
const publicThenLoopback = (): LookupAll => {
  let calls = 0;
  return async () => [{ address: calls++ === 0 ? '93.184.215.14' : '127.0.0.1', family: 4 }];
};

describe('sending a feed event to the endpoint', () => {
  it('POSTs the exact body, signed so that the standardwebhooks package verifies it: delivered', async () => {
    const result = await send('/200');
    assert.equal(result.outcome, 'delivered');
    assert.equal(result.status, 200);
    assert.equal(result.error, undefined);
    assert.ok(result.latencyMs >= 0);
    const [request] = received;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.body, body);
    assert.equal(request!.headers['content-type'], 'application/json');
    assert.equal(request!.headers['webhook-id'], 'evt_01');
    assert.deepEqual(new Webhook(secret).verify(request!.body, request!.headers as Record<string, string>), JSON.parse(body));
    assert.throws(() => new Webhook(newSecret()).verify(request!.body, request!.headers as Record<string, string>));
  });

  it('stamps every attempt afresh, with the same id and body', async () => {
    await send('/503', { now: () => 1_700_000_000_000 });
    await send('/503', { now: () => 1_700_000_042_000 });
    assert.deepEqual(received.map((r) => r.headers['webhook-timestamp']), ['1700000000', '1700000042']);
    assert.deepEqual(new Set(received.map((r) => `${r.headers['webhook-id']} ${r.body}`)).size, 1);
  });

  it('classifies 410 as gone, and any other answer as a retry with its status', async () => {
    assert.deepEqual(await send('/410').then(({ outcome, status, error }) => ({ outcome, status, error })), { outcome: 'gone', status: 410, error: 'HTTP 410' });
    assert.deepEqual(await send('/503').then(({ outcome, status, error }) => ({ outcome, status, error })), { outcome: 'retry', status: 503, error: 'HTTP 503' });
    assert.equal((await send('/400')).outcome, 'retry');
    assert.equal((await send('/204')).outcome, 'delivered');
  });

  it('does not follow a redirect: a 3xx is retried and nothing else is called', async () => {
    const result = await send('/302');
    assert.deepEqual([result.outcome, result.status], ['retry', 302]);
    assert.equal(received.length, 1);
  });

  it('gives up on an endpoint that never answers after the timeout: a retry without a status', async () => {
    const result = await send('/hang', { timeoutMs: 50 });
    // (whether the request reached the server before the timeout depends on load: not asserted)
    assert.deepEqual({ outcome: result.outcome, status: result.status, error: result.error }, { outcome: 'retry', status: null, error: 'no answer within 50 ms' });
  });

  it('retries when nothing listens: a retry without a status', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/`, id: 'evt_01', body, secrets: [secret] }, { local: true });
    results.push(result);
    assert.deepEqual({ outcome: result.outcome, status: result.status, error: result.error }, { outcome: 'retry', status: null, error: 'connection failed (ECONNREFUSED)' });
  });

  it('in AWS, refuses a URL that is not https or names a private host, before any request', async () => {
    for (const url of [`${base}/200`, 'https://169.254.169.254/latest/meta-data/', 'https://[::1]/', 'https://localhost/']) {
      const result = await sendWebhook({ url, id: 'evt_01', body, secrets: [secret] }, { local: false });
      results.push(result);
      assert.equal(result.outcome, 'retry', url);
      assert.match(result.error!, /^refused: /, url);
    }
    assert.equal(received.length, 0);
  });

  it('in AWS, checks the address it connects to: a host that passed at PUT time and now resolves to loopback is refused', async () => {
    const lookup = publicThenLoopback();
    const url = `https://platform.example:${new URL(base).port}/200`;
    assert.deepEqual(await checkEndpoint(url, { local: false, lookup }), { ok: true });
    const result = await sendWebhook({ url, id: 'evt_01', body, secrets: [secret] }, { local: false, lookup });
    results.push(result);
    assert.equal(result.outcome, 'retry');
    assert.equal(result.status, null);
    assert.match(result.error!, /^refused: the host resolves to a loopback/);
    assert.equal(received.length, 0);
  });

  it('never puts the secret or the body in an error', () => {
    assert.ok(results.length > 10);
    for (const { error } of results) {
      assert.ok(!error?.includes(secret) && !error?.includes(secret.slice(6)), error);
      assert.ok(!error?.includes('ana@example.com') && !error?.includes('from the platform'), error);
    }
  });
});

describe('the endpoint URL guard', () => {
  const refused = (url: string, local = false) => !checkEndpointUrl(url, { local }).ok;

  it('in AWS, accepts only https to a public host', () => {
    assert.equal(refused('https://platform.example/hooks'), false);
    assert.equal(refused('https://93.184.215.14/hooks'), false);
    assert.equal(refused('https://[2606:4700::1111]/hooks'), false);
    for (const url of [
      'http://platform.example/hooks', 'ftp://platform.example/', 'not a url', 'https://user:pw@platform.example/',
      'https://localhost/', 'https://app.localhost/', 'https://127.0.0.1/', 'https://10.1.2.3/', 'https://172.16.0.1/',
      'https://192.168.1.1/', 'https://169.254.169.254/', 'https://100.64.0.1/', 'https://0.0.0.0/', 'https://224.0.0.1/',
      'https://[::1]/', 'https://[::]/', 'https://[fd00::1]/', 'https://[fe80::1]/', 'https://[ff02::1]/', 'https://[::ffff:169.254.169.254]/',
    ]) assert.ok(refused(url), url);
  });

  it('locally, also accepts http and https to 127.0.0.1 and localhost, and nothing else private', () => {
    for (const url of ['http://127.0.0.1:4000/', 'http://localhost:4000/', 'https://localhost/', 'http://[::1]:4000/', 'https://platform.example/']) {
      assert.equal(refused(url, true), false, url);
    }
    for (const url of ['http://platform.example/', 'http://10.0.0.1/', 'https://192.168.0.10/', 'https://169.254.169.254/']) assert.ok(refused(url, true), url);
  });

  it('at PUT time, refuses a host that resolves to a private or metadata address, or to nothing', async () => {
    const resolvesTo = (...addresses: string[]): LookupAll => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    assert.deepEqual(await checkEndpoint('https://platform.example/', { local: false, lookup: resolvesTo('93.184.215.14') }), { ok: true });
    assert.equal((await checkEndpoint('https://platform.example/', { local: false, lookup: resolvesTo('93.184.215.14', '169.254.169.254') })).ok, false);
    assert.equal((await checkEndpoint('https://platform.example/', { local: false, lookup: resolvesTo('fd12::1') })).ok, false);
    assert.equal((await checkEndpoint('https://platform.example/', { local: false, lookup: resolvesTo() })).ok, false);
    const failing: LookupAll = async () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }));
    assert.deepEqual(await checkEndpoint('https://nowhere.example/', { local: false, lookup: failing }), { ok: false, reason: 'the host does not resolve' });
  });
});
