import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CredentialsError, schoolHotmartSources } from '#lib/adapters/hotmart/hotmart-source.ts';
import { localDevelopmentSealer } from '#lib/adapters/secrets/credential-sealer.ts';
import type { SchoolCredentialsStore, StoredCredentials } from '#lib/services/credential-ports.ts';
import { startFakeHotmartApi } from '../../scripts/fake-hotmart-api.ts';

/** The runner's Hotmart API per school: that school's sealed credentials, its hosts, and lastError. */
const production = await startFakeHotmartApi({ clientId: 'prod-client-0001', clientSecret: 'prod-secret-0001' });
const sandbox = await startFakeHotmartApi({ clientId: 'sandbox-client-01', clientSecret: 'sandbox-secret-01' });
after(() => Promise.all([production.close(), sandbox.close()]));

const items = new Map<string, StoredCredentials>();
const store: SchoolCredentialsStore = {
  get: async (schoolId) => ({ kind: 'school', credentials: items.get(schoolId) ?? null }),
  put: async () => 'stored',
  remove: async () => 'removed',
  setLastError: async (schoolId, sealed, text) => {
    const item = items.get(schoolId);
    if (!item || item.sealed !== sealed) return;
    if (text === null) delete item.lastError;
    else item.lastError = text;
  },
};
const connect = async (schoolId: string, clientId: string, clientSecret: string, options: { sandbox?: boolean; sealedFor?: string } = {}) => {
  const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
  const sealed = await localDevelopmentSealer.seal(options.sealedFor ?? schoolId, JSON.stringify({ clientId, clientSecret, basic }));
  items.set(schoolId, { clientId, sandbox: options.sandbox ?? false, verifiedAt: Date.now(), sealed });
};
const sourceFor = schoolHotmartSources(
  { reconciliation: { apiUrl: production.apiUrl, tokenUrl: production.tokenUrl } as never, hotmartSandbox: { apiUrl: sandbox.apiUrl, tokenUrl: sandbox.tokenUrl } },
  { store, sealer: localDevelopmentSealer },
);
const window = { status: 'APPROVED', from: 0, to: Date.now() };
const readAll = async (schoolId: string) => {
  const out: unknown[] = [];
  for await (const sale of (await sourceFor(schoolId)()).salesHistory(window)) out.push(sale);
  return out;
};
const sale = (transaction: string) => ({ product: { id: 1, name: 'c' }, buyer: { name: 'b', email: 'b@example.com' }, purchase: { transaction, order_date: Date.now() - 1000, status: 'APPROVED' } });

describe('a school’s Hotmart API (the runner’s)', () => {
  it('refuses, naming the route and no secret, a school without credentials, or credentials sealed for another school', async () => {
    await assert.rejects(sourceFor('no-creds')(), (error: Error) => error instanceof CredentialsError && /PUT \/schools\/no-creds\/hotmart-credentials/.test(error.message));
    await connect('stolen', 'prod-client-0001', 'prod-secret-0001', { sealedFor: 'someone-else' });
    await assert.rejects(sourceFor('stolen')(), (error: Error) => error instanceof CredentialsError && !error.message.includes('prod-secret'));
  });

  it('reads the production hosts, or the sandbox hosts for a sandbox credential', async () => {
    production.sales.push(sale('HPPROD1'));
    sandbox.sales.push(sale('HPSANDBOX1'));
    await connect('prod-school', 'prod-client-0001', 'prod-secret-0001');
    await connect('sandbox-school', 'sandbox-client-01', 'sandbox-secret-01', { sandbox: true });
    assert.deepEqual((await readAll('prod-school')).map((s: any) => s.purchase.transaction), ['HPPROD1']);
    assert.deepEqual((await readAll('sandbox-school')).map((s: any) => s.purchase.transaction), ['HPSANDBOX1']);
  });

  it('sets lastError when Hotmart refuses the token, and clears it with the next token it issues', async () => {
    await connect('rotating', 'prod-client-0001', 'prod-secret-0001');
    await readAll('rotating');
    production.rotateSecret('changed-in-hotmart');
    await assert.rejects(readAll('rotating'), /401/);
    assert.equal(items.get('rotating')!.lastError, 'Hotmart refused the credential: 401 unauthorized');
    production.rotateSecret();
    await readAll('rotating');
    assert.equal(items.get('rotating')!.lastError, undefined);
  });
});
