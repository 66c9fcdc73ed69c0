import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { hotmartCredentialVerifier } from '#lib/adapters/hotmart/credential-check.ts';
import { startFakeHotmartApi } from '../../scripts/fake-hotmart-api.ts';
import type { FakeHotmart } from '../../scripts/fake-hotmart-api.ts';

const ID = 'verify-client-id';
const SECRET = 'verify-client-secret';
const basic = (id: string, secret: string) => Buffer.from(`${id}:${secret}`).toString('base64');
let production: FakeHotmart;
let sandbox: FakeHotmart;

before(async () => {
  production = await startFakeHotmartApi({ clientId: ID, clientSecret: SECRET });
  sandbox = await startFakeHotmartApi({ clientId: 'sandbox-id', clientSecret: 'sandbox-secret' });
});
after(async () => {
  await production.close();
  await sandbox.close();
});

describe('checking HotConnect credentials with Hotmart', () => {
  const verifier = () => hotmartCredentialVerifier({ production: { tokenUrl: production.tokenUrl }, sandbox: { tokenUrl: sandbox.tokenUrl } });

  it('is accepted when Hotmart issues a token, at the production or the sandbox token endpoint', async () => {
    assert.deepEqual(await verifier()({ clientId: ID, clientSecret: SECRET, basic: basic(ID, SECRET) }, { sandbox: false }), { kind: 'accepted' });
    assert.deepEqual(await verifier()({ clientId: 'sandbox-id', clientSecret: 'sandbox-secret', basic: basic('sandbox-id', 'sandbox-secret') }, { sandbox: true }), { kind: 'accepted' });
    assert.equal(sandbox.stats.tokenRequests, 1);
  });

  it('is rejected with what Hotmart answered (401 unauthorized) for a wrong secret, a wrong Basic or a credential of the other kind', async () => {
    const rejected = { kind: 'rejected', hotmart: { status: 401, error: 'unauthorized' } };
    assert.deepEqual(await verifier()({ clientId: ID, clientSecret: 'wrong', basic: basic(ID, 'wrong') }, { sandbox: false }), rejected);
    assert.deepEqual(await verifier()({ clientId: ID, clientSecret: SECRET, basic: 'bm90LWl0' }, { sandbox: false }), rejected);
    assert.deepEqual(await verifier()({ clientId: ID, clientSecret: SECRET, basic: basic(ID, SECRET) }, { sandbox: true }), rejected);
  });

  it('is unreachable when no answer comes or Hotmart fails (5xx), naming the kind of failure only', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = hotmartCredentialVerifier({ production: { tokenUrl: `http://127.0.0.1:${port}/security/oauth/token` }, sandbox: { tokenUrl: sandbox.tokenUrl } });
    const outcome = await down({ clientId: ID, clientSecret: SECRET, basic: basic(ID, SECRET) }, { sandbox: false });
    assert.equal(outcome.kind, 'unreachable');
    assert.ok(outcome.kind === 'unreachable' && !outcome.reason.includes(SECRET), JSON.stringify(outcome));

    const failing = createServer((_, response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'internal_server_error' }));
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    try {
      const broken = hotmartCredentialVerifier({ production: { tokenUrl: `http://127.0.0.1:${(failing.address() as { port: number }).port}/t` }, sandbox: { tokenUrl: sandbox.tokenUrl } });
      assert.equal((await broken({ clientId: ID, clientSecret: SECRET, basic: basic(ID, SECRET) }, { sandbox: false })).kind, 'unreachable');
    } finally {
      await new Promise<void>((resolve) => failing.close(() => resolve()));
    }
  });

  it('refuses a token URL that is plain http to another machine', () => {
    assert.throws(() => hotmartCredentialVerifier({ production: { tokenUrl: 'http://example.com/t' }, sandbox: { tokenUrl: sandbox.tokenUrl } }), /https/);
  });
});
