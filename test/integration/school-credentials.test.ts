import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { startFakeHotmartApi } from '../../scripts/fake-hotmart-api.ts';
import { createSchool, deleteSchool } from '../helpers/schools.ts';
import { captureLogs, createTestStack, route } from '../helpers/stack.ts';

const CLIENT_ID = 'school-client-id-0001';
const CLIENT_SECRET = 'school-client-secret-0123456789';
const BASIC = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');

const fake = await startFakeHotmartApi({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
// The sandbox token endpoint of this stage is down: a port nothing listens on.
const closed = createServer();
await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
const deadPort = (closed.address() as { port: number }).port;
await new Promise<void>((resolve) => closed.close(() => resolve()));

process.env.LOG_LEVEL = 'INFO';
const { endpoint, tables } = await createTestStack();
Object.assign(process.env, { HOTMART_TOKEN_URL: fake.tokenUrl, HOTMART_API_URL: fake.apiUrl, HOTMART_SANDBOX_TOKEN_URL: `http://127.0.0.1:${deadPort}/security/oauth/token` });
const { handler } = await import('../../functions/credentials/handler.ts');
const { localDevelopmentSealer } = await import('#lib/adapters/secrets/credential-sealer.ts');
after(() => fake.close());

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
const registryItem = async (schoolId: string) => (await db.send(new GetCommand({ TableName: tables.SCHOOLS_TABLE!, Key: { pk: `SCHOOL#${schoolId}` } }))).Item;

const PATH = '/schools/{schoolId}/hotmart-credentials';
const put = (schoolId: string, body: unknown) => route(handler, `PUT ${PATH}`, { schoolId }, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const get = (schoolId: string) => route(handler, `GET ${PATH}`, { schoolId });
const remove = (schoolId: string) => route(handler, `DELETE ${PATH}`, { schoolId });

describe('a school’s HotConnect credentials', () => {
  it('are checked with Hotmart, then stored sealed for that school: the answer, GET and the item show no secret', async () => {
    await createSchool('cred-alpha');
    let answer: Awaited<ReturnType<typeof put>> | undefined;
    const logs = await captureLogs(async () => {
      answer = await put('cred-alpha', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    });
    assert.equal(answer!.statusCode, 200, answer!.rawBody);
    assert.deepEqual(Object.keys(answer!.body).sort(), ['clientId', 'sandbox', 'verifiedAt']);
    assert.equal(answer!.body.clientId, CLIENT_ID);
    assert.equal(answer!.body.sandbox, false);
    assert.ok(Math.abs(Date.parse(answer!.body.verifiedAt) - Date.now()) < 60_000);
    const read = await get('cred-alpha');
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.body, answer!.body);

    assert.ok(logs.some((line) => line.includes('hotmart credentials stored')), 'the logs were captured');
    const item = await registryItem('cred-alpha');
    const stored = JSON.stringify(item);
    for (const secret of [CLIENT_SECRET, BASIC, ...fake.issuedTokens()]) {
      assert.ok(!stored.includes(secret), 'the item holds only ciphertext of the secret');
      assert.ok(!read.rawBody.includes(secret) && !answer!.rawBody.includes(secret));
      assert.ok(!logs.join('\n').includes(secret), 'no secret in a log');
    }
    assert.deepEqual(Object.keys(item!.credentials).sort(), ['clientId', 'sandbox', 'sealed', 'verifiedAt']);
    assert.equal(item!.state, 'active', 'the rest of the school’s item is untouched');
    // The sealed value opens, for this school only, to what the reconciliation runner will use.
    assert.deepEqual(JSON.parse(await localDevelopmentSealer.open('cred-alpha', item!.credentials.sealed)), { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, basic: BASIC });
    await assert.rejects(localDevelopmentSealer.open('cred-beta', item!.credentials.sealed));
  });

  it('refused by Hotmart: 422 CREDENTIALS.REJECTED with what Hotmart answered, and nothing stored (earlier ones kept)', async () => {
    await createSchool('cred-refused');
    const refused = await put('cred-refused', { clientId: CLIENT_ID, clientSecret: 'not-the-secret' });
    assert.equal(refused.statusCode, 422, refused.rawBody);
    assert.equal(refused.body.error.code, 'CREDENTIALS.REJECTED');
    assert.deepEqual(refused.body.error.hotmart, { status: 401, error: 'unauthorized' });
    assert.match(refused.body.error.message, /401/);
    assert.ok(!refused.rawBody.includes('not-the-secret'));
    assert.equal((await get('cred-refused')).body.error.code, 'CREDENTIALS.NOT_FOUND');
    assert.equal((await registryItem('cred-refused'))!.credentials, undefined);

    // A wrong Basic is refused as Hotmart does; the school's stored credentials stay as they were.
    const before = (await get('cred-alpha')).body;
    const wrongBasic = await put('cred-alpha', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, basic: 'Basic d3Jvbmc6YmFzaWM=' });
    assert.equal(wrongBasic.statusCode, 422);
    assert.deepEqual((await get('cred-alpha')).body, before);
  });

  it('Hotmart unreachable: 503, nothing stored', async () => {
    await createSchool('cred-offline');
    const answer = await put('cred-offline', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, sandbox: true });
    assert.equal(answer.statusCode, 503, answer.rawBody);
    assert.equal(answer.body.error.code, 'HOTMART.UNREACHABLE');
    assert.equal((await get('cred-offline')).statusCode, 404);
    assert.equal((await registryItem('cred-offline'))!.credentials, undefined);
  });

  it('answer 404 SCHOOL.NOT_FOUND for a school that does not exist or is deleted, without asking Hotmart; 400 for an id that is not a slug', async () => {
    const asked = fake.stats.tokenRequests;
    for (const response of [await put('cred-nobody', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }), await get('cred-nobody'), await remove('cred-nobody')]) {
      assert.equal(response.statusCode, 404);
      assert.equal(response.body.error.code, 'SCHOOL.NOT_FOUND');
    }
    await createSchool('cred-gone');
    assert.equal((await put('cred-gone', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).statusCode, 200);
    const afterPut = fake.stats.tokenRequests;
    await deleteSchool('cred-gone');
    for (const response of [await put('cred-gone', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }), await get('cred-gone'), await remove('cred-gone')]) {
      assert.equal(response.body.error.code, 'SCHOOL.NOT_FOUND');
    }
    assert.equal(fake.stats.tokenRequests, afterPut, 'nothing sent to Hotmart for a deleted school');
    assert.equal(afterPut, asked + 1);
    assert.equal((await put('Not_A_Slug', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).statusCode, 400);
    assert.equal((await put('cred-alpha', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, extra: 1 })).statusCode, 400);
  });

  it('DELETE removes them (204, again 204) and touches only that school', async () => {
    await createSchool('cred-beta');
    await createSchool('cred-gamma');
    assert.equal((await put('cred-beta', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).statusCode, 200);
    assert.equal((await put('cred-gamma', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).statusCode, 200);
    const gamma = await registryItem('cred-gamma');
    const beta = await registryItem('cred-beta');
    // Sealed for each school: one school's ciphertext does not open as the other's.
    await assert.rejects(localDevelopmentSealer.open('cred-gamma', beta!.credentials.sealed));

    assert.equal((await remove('cred-beta')).statusCode, 204);
    assert.equal((await remove('cred-beta')).statusCode, 204);
    const read = await get('cred-beta');
    assert.equal(read.statusCode, 404);
    assert.equal(read.body.error.code, 'CREDENTIALS.NOT_FOUND');
    const betaAfter = await registryItem('cred-beta');
    assert.equal(betaAfter!.credentials, undefined);
    assert.equal(betaAfter!.state, 'active', 'the school stays');
    assert.deepEqual(await registryItem('cred-gamma'), gamma, 'the other school is unchanged');
    assert.equal((await get('cred-gamma')).statusCode, 200);
  });
});
