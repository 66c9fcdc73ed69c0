import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CredentialsError, hotmartCredentialSource } from '#lib/adapters/hotmart/credentials.ts';
import { loadConfig } from '#lib/config.ts';

const SECRET = 'cs-7c1f0e9a2b8d4e6f';
const PARAMETER = '/hotmart-enrollments/prod/hotmart-api';

/** A fake SSM endpoint speaking the JSON protocol of GetParameter. */
let requests: { target: string; body: any }[] = [];
let stored: string | undefined;
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    requests.push({ target: String(request.headers['x-amz-target']), body: JSON.parse(body) });
    response.writeHead(stored === undefined ? 400 : 200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(
      JSON.stringify(
        stored === undefined
          ? { __type: 'ParameterNotFound', message: 'not found' }
          : { Parameter: { Name: PARAMETER, Type: 'SecureString', Value: stored, Version: 1 } },
      ),
    );
  });
});

const env = (extra: Record<string, string>) =>
  loadConfig({ EVENTS_TABLE: 'events', ENROLLMENTS_TABLE: 'enrollments', MAPPINGS_TABLE: 'mappings', QUARANTINE_TABLE: 'quarantine', RECONCILIATIONS_TABLE: 'runs', SCHOOLS_TABLE: 'schools', ...extra });

async function failure(source: () => Promise<unknown>): Promise<Error> {
  try {
    await source();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('Hotmart API credentials', () => {
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, { AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(server.address() as { port: number }).port}`, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  });
  after(() => server.close());

  it('locally, from the environment; the Basic token defaults to Base64 of id:secret, as Hotmart issues it', async () => {
    const config = env({ HOTMART_CLIENT_ID: 'client-1', HOTMART_CLIENT_SECRET: SECRET });
    assert.equal(config.reconciliation.credentialsParameter, undefined);
    assert.deepEqual(await hotmartCredentialSource(config)(), { clientId: 'client-1', clientSecret: SECRET, basic: Buffer.from(`client-1:${SECRET}`).toString('base64') });
    const pasted = env({ HOTMART_CLIENT_ID: 'client-1', HOTMART_CLIENT_SECRET: SECRET, HOTMART_BASIC: 'Basic abc123==' });
    assert.equal((await hotmartCredentialSource(pasted)()).basic, 'abc123==');
    const missing = await failure(hotmartCredentialSource(env({})));
    assert.ok(missing instanceof CredentialsError);
    assert.match(missing.message, /HOTMART_CLIENT_ID and HOTMART_CLIENT_SECRET/);
    const half = await failure(hotmartCredentialSource(env({ HOTMART_CLIENT_SECRET: SECRET })));
    assert.ok(!half.message.includes(SECRET));
  });

  it('in AWS, from one SecureString parameter, decrypted and read once per container', async () => {
    requests = [];
    stored = JSON.stringify({ clientId: 'client-2', clientSecret: SECRET, basic: 'YmFzaWM=' });
    const config = env({ HOTMART_API_CREDENTIALS_PARAMETER: PARAMETER, HOTMART_CLIENT_ID: 'ignored-in-aws' });
    assert.equal(config.reconciliation.credentialsParameter, PARAMETER);
    const source = hotmartCredentialSource(config);
    assert.deepEqual(await source(), { clientId: 'client-2', clientSecret: SECRET, basic: 'YmFzaWM=' });
    assert.deepEqual(await source(), { clientId: 'client-2', clientSecret: SECRET, basic: 'YmFzaWM=' });
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.target, 'AmazonSSM.GetParameter');
    assert.deepEqual(requests[0]!.body, { Name: PARAMETER, WithDecryption: true });

    stored = JSON.stringify({ client_id: 'client-3', client_secret: SECRET });
    assert.equal((await hotmartCredentialSource(config)()).clientId, 'client-3', 'snake_case, as Hotmart names the fields');
  });

  it('in serverless-offline, from the environment even with the parameter name set', () => {
    const config = env({ HOTMART_API_CREDENTIALS_PARAMETER: PARAMETER, IS_OFFLINE: 'true', HOTMART_CLIENT_ID: 'local' });
    assert.equal(config.reconciliation.credentialsParameter, undefined);
    assert.equal(config.reconciliation.localCredentials?.clientId, 'local');
  });

  it('sends the credentials over https only: plain http only to this machine, and only in a local run', () => {
    const urls = (apiUrl: string, tokenUrl = 'https://api-sec-vlc.hotmart.com/security/oauth/token') => ({ HOTMART_API_URL: apiUrl, HOTMART_TOKEN_URL: tokenUrl });
    assert.equal(env({}).reconciliation.apiUrl, 'https://developers.hotmart.com');
    assert.equal(env(urls('https://sandbox.hotmart.com')).reconciliation.apiUrl, 'https://sandbox.hotmart.com');
    // In AWS (neither IS_OFFLINE nor DYNAMODB_ENDPOINT), a shell set up for the fake API deploys nothing that works.
    assert.throws(() => env(urls('http://127.0.0.1:4010')), /HOTMART_API_URL must be https/);
    assert.throws(() => env(urls('https://developers.hotmart.com', 'http://localhost:4010/token')), /HOTMART_TOKEN_URL must be https/);
    assert.throws(() => env(urls('http://evil.example')), /must be https/);
    for (const local of [{ IS_OFFLINE: 'true' }, { DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }] as Record<string, string>[]) {
      assert.equal(env({ ...local, ...urls('http://127.0.0.1:4010', 'http://localhost:4010/token') }).reconciliation.tokenUrl, 'http://localhost:4010/token');
      assert.throws(() => env({ ...local, ...urls('http://evil.example') }), /HOTMART_API_URL must be https/, 'not even locally to another host');
    }
  });

  it('says what is wrong with the parameter, never what it holds', async () => {
    const config = env({ HOTMART_API_CREDENTIALS_PARAMETER: PARAMETER });
    for (const [value, expected] of [
      // The secret unquoted inside JSON: a parser's message would quote the text around it.
      [`{"clientId":"x","clientSecret":${SECRET}}`, /is not JSON/],
      [JSON.stringify({ clientSecret: SECRET }), /incomplete/],
      [JSON.stringify({ clientId: 7, clientSecret: SECRET }), /must hold/],
      [undefined, /does not exist/],
    ] as const) {
      stored = value;
      const error = await failure(hotmartCredentialSource(config));
      assert.ok(error instanceof CredentialsError, String(error));
      assert.match(error.message, expected);
      assert.ok(!error.message.includes(SECRET.slice(0, 6)), error.message);
    }
  });
});
