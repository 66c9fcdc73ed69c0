import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { TABLES_WITH_EMAIL, TABLES_WITHOUT_EMAIL, createErasureStore } from '#lib/adapters/dynamodb/erasure-store.ts';
import { schoolKeys } from '#lib/adapters/dynamodb/keys.ts';
import { loadConfig } from '#lib/config.ts';
import { eraseStudent } from '#lib/services/erasure.ts';
import { serverlessTables } from '../../scripts/local/tables.ts';
import { TOKEN, createTestStack, freshEvent, loadHandlers, scanAllTables, bare } from '../helpers/stack.ts';
import { storesOf } from '../helpers/schools.ts';

await createTestStack();
const api = await loadHandlers();
const MAPPED = 9_300_001;
const UNMAPPED = 9_300_002;
const EMAIL = 'maria.apagada@example.com';
const NAME = 'Maria Apagada Souza';
await api.putMapping(String(MAPPED), { targets: [{ type: 'course', id: 'lgpd' }] });

const post = (body: unknown) => api.postWebhook(typeof body === 'string' ? body : JSON.stringify(body));
const withName = (body: Record<string, any>) => ((body.data.buyer.name = NAME), body);
const traces = async () => JSON.stringify(await scanAllTables()).toLowerCase();

describe('LGPD erasure: DELETE /students/{email}', () => {
  it('knows every table serverless.yml declares: each is erased, or holds no e-mail', () => {
    const declared = serverlessTables().map((table) => table.name).sort();
    assert.deepEqual([...TABLES_WITH_EMAIL, ...TABLES_WITHOUT_EMAIL].sort(), declared);
    assert.deepEqual(Object.keys(loadConfig().tables).sort(), declared, 'the functions read every table, and only those');
  });

  it('replaces the buyer’s e-mail and name everywhere, keeps the records countable, and replays do not bring them back', async () => {
    const purchase = withName(freshEvent('PURCHASE_APPROVED', { transaction: 'HPLGPD1', email: EMAIL, productId: MAPPED }));
    await post(purchase);
    const charge = withName(freshEvent('PURCHASE_APPROVED', { transaction: 'HPLGPD2', email: EMAIL, productId: MAPPED, subscriberCode: 'SLGPD', offerCode: 'm3xq8k2p' }));
    charge.data.purchase.date_next_charge = Date.UTC(2099, 0, 1);
    await post(charge);
    const waiting = withName(freshEvent('PURCHASE_APPROVED', { transaction: 'HPLGPD3', email: EMAIL, productId: UNMAPPED }));
    assert.equal((await post(waiting)).body.status, 'unmapped');
    const quarantined = await post(JSON.stringify({ id: 'q-lgpd', event: 'PURCHASE_APPROVED', version: '9', hottok: TOKEN, data: { buyer: { email: EMAIL, name: NAME } } }));
    assert.equal(quarantined.statusCode, 202);
    assert.ok((await traces()).includes(EMAIL));

    const erased = await api.eraseStudent(EMAIL.toUpperCase());
    assert.equal(erased.statusCode, 200);
    const { pseudonym } = erased.body;
    assert.match(pseudonym, /^erased-[0-9a-f-]{36}@erased\.invalid$/);
    // One enrollment (both purchases grant the same course), one one-time transaction, one subscription,
    // four event items (three records and the parked copy of the unmapped purchase), one quarantined body.
    assert.deepEqual(erased.body.erased, { enrollments: 1, transactions: 1, subscriptions: 1, events: 4, quarantined: 1 });
    const after = await traces();
    assert.ok(!after.includes(EMAIL), 'the e-mail is still stored');
    assert.ok(!after.includes(NAME.toLowerCase()), 'the name is still stored');

    // Countable, and still working, under the pseudonym.
    assert.deepEqual((await api.enrollments({ email: EMAIL })).body.items, []);
    const [enrollment] = (await api.enrollments({ email: pseudonym })).body.items;
    assert.deepEqual([enrollment.hasAccess, enrollment.transactions.length], [true, 2]);
    assert.equal((await api.event(purchase.id)).body.buyerEmail, pseudonym);

    // Replays re-apply what is stored: no e-mail comes back.
    assert.equal((await api.replayEvent(purchase.id)).statusCode, 200);
    const requarantined = await api.replayQuarantined(quarantined.body.quarantineId);
    assert.equal(requarantined.body.status, 'quarantined');
    assert.equal((await api.quarantine()).body.items.filter((q: any) => q.body.includes('q-lgpd')).length, 1, 'kept once');
    await api.putMapping(String(UNMAPPED), { targets: [{ type: 'course', id: 'lgpd-later' }] });
    assert.ok(!(await traces()).includes(EMAIL), 'a replay or a late mapping brought the e-mail back');
    assert.deepEqual((await api.enrollments({ email: pseudonym })).body.items.map((e: any) => e.target.id).sort(), ['lgpd', 'lgpd-later']);

    // Hotmart keeps sending the real e-mail: a later refund still revokes the pseudonymous enrollment.
    await post(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPLGPD1', email: EMAIL, productId: MAPPED }));
    const revoked = (await api.enrollments({ email: pseudonym })).body.items.find((e: any) => e.target.id === 'lgpd');
    assert.deepEqual(revoked.transactions.find((t: any) => t.transaction === 'HPLGPD1'), { transaction: 'HPLGPD1', status: 'REFUNDED' });

    // Erasing again finds only what arrived since.
    const again = await api.eraseStudent(EMAIL);
    assert.deepEqual(again.body.erased, { enrollments: 0, transactions: 0, subscriptions: 0, events: 1, quarantined: 0 });
    assert.equal((await api.eraseStudent('not-an-email')).statusCode, 400);
  });

  it('finds quarantined copies whatever the e-mail’s letter case, Unicode form or JSON escaping', async () => {
    const email = 'inês.quarentena@example.com';
    const name = 'Inês Quarentena Lima';
    const upper = email.toUpperCase().normalize('NFD');
    const escaped = email.replace('@', '\\u0040').toUpperCase();
    const bodies: [string, Record<string, string>][] = [
      // not JSON: kept as sent, with the @ escaped and in upper case
      [`{"id":"q-raw","event":"PURCHASE_APPROVED","version":"2.0.0","data":{"buyer":{"email":"${escaped}","name":"${name}"}},`, { 'content-type': 'application/json' }],
      // JSON of an unknown version: upper case, decomposed accents
      [JSON.stringify({ id: 'q-nfd', event: 'PURCHASE_APPROVED', version: '7', data: { buyer: { email: upper, name: name.normalize('NFD') } } }), { 'content-type': 'application/json' }],
      // a v1 form it cannot read, e-mail in mixed case
      [new URLSearchParams({ hottok: TOKEN, status: 'approved', transaction: 'HPQF', prod: 'x', email: ` ${upper} `, name }).toString(), { 'content-type': 'application/x-www-form-urlencoded' }],
    ];
    for (const [body, headers] of bodies) assert.equal((await api.postWebhook(body, { ...headers, 'x-hotmart-hottok': TOKEN })).statusCode, 202, body);
    const erased = await api.eraseStudent(email.normalize('NFD'));
    assert.equal(erased.body.erased.quarantined, 3);
    const after = (await traces()).normalize('NFC');
    for (const trace of ['inês.quarentena', 'quarentena\\u0040', 'quarentena lima', 'quarentena+lima', 'quarentena%40']) assert.ok(!after.includes(trace), `still stored: ${trace}`);
    const kept = (await api.quarantine({ limit: '100' })).body.items.filter((q: any) => [q.body, new URLSearchParams(q.body).get('email') ?? ''].some((text) => text.includes(erased.body.pseudonym)));
    assert.equal(kept.length, 3, 'each copy holds the pseudonym');
  });

  it('finds the student’s items through the byStudent indexes: no Scan, and as many requests for a student among many as for one alone', async () => {
    const requestsOf = async (email: string) => {
      const sent: { command: string; index?: string }[] = [];
      const send = DynamoDBDocumentClient.prototype.send;
      DynamoDBDocumentClient.prototype.send = function (this: DynamoDBDocumentClient, command: any, ...rest: any[]) {
        sent.push({ command: command.constructor.name, index: command.input?.IndexName });
        return (send as any).call(this, command, ...rest);
      } as never;
      try {
        assert.equal((await api.eraseStudent(email)).statusCode, 200);
      } finally {
        DynamoDBDocumentClient.prototype.send = send;
      }
      return sent;
    };
    const purchase = (email: string, n: number) => post(withName(freshEvent('PURCHASE_APPROVED', { transaction: `HPIDX${n}`, email, productId: MAPPED })));
    await purchase('alone@example.com', 0);
    const alone = await requestsOf('alone@example.com');
    // Thirty other buyers in the same school: the erasure of one student reads none of their items.
    for (let n = 1; n <= 30; n++) await purchase(`other-${n}@example.com`, n);
    await purchase('among@example.com', 99);
    const among = await requestsOf('among@example.com');
    assert.deepEqual(among.filter((r) => r.command === 'ScanCommand'), []);
    // Events, quarantine, the feed's stored events, and the audit trail's records about the student (manual grants).
    assert.deepEqual(among.filter((r) => r.command === 'QueryCommand' && r.index).map((r) => r.index), ['byStudent', 'byStudent', 'byStudent', 'byStudent']);
    assert.equal(among.length, alone.length, 'the requests grew with the other students');
  });

  for (const failing of ['UpdateCommand', 'TransactWriteCommand']) {
    it(`finishes, under the same pseudonym, what an erasure interrupted at its first ${failing} left`, async () => {
      const tag = failing === 'UpdateCommand' ? 'u' : 't';
      const email = `resume-${tag}@example.com`;
      await post(withName(freshEvent('PURCHASE_APPROVED', { transaction: `HPRES${tag}1`, email, productId: MAPPED })));
      const charge = withName(freshEvent('PURCHASE_APPROVED', { transaction: `HPRES${tag}2`, email, productId: MAPPED, subscriberCode: `SRES${tag}`, offerCode: 'm3xq8k2p' }));
      charge.data.purchase.date_next_charge = Date.UTC(2099, 0, 1);
      await post(charge);

      // A run whose storage fails once, midway (a real DynamoDB Local client, one call refused).
      const deps = createDynamoDeps(loadConfig());
      let refused = 0;
      const flaky = new Proxy(deps.db, {
        get(target, property, receiver) {
          if (property !== 'send') return Reflect.get(target, property, receiver);
          return (command: { constructor: { name: string } }) => {
            if (command.constructor.name === failing && refused++ === 0) return Promise.reject(Object.assign(new Error('injected'), { name: 'InternalServerError' }));
            return target.send(command as never);
          };
        },
      }) as DynamoDBDocumentClient;
      const school = schoolKeys((await storesOf(api.schoolId)).scope);
      await assert.rejects(eraseStudent(email, { erasure: createErasureStore(flaky, loadConfig().tables, school) }), /injected/);

      const rerun = await api.eraseStudent(email);
      assert.equal(rerun.statusCode, 200);
      const { pseudonym } = rerun.body;
      const after = await traces();
      assert.ok(!after.includes(email), 'the re-run left the e-mail somewhere');
      assert.ok(!after.includes('erasure#'), 'the erasure in progress was not forgotten');
      // Everything under the one pseudonym: the enrollment, and the records that lead to it.
      const items = await scanAllTables();
      const records = items.filter((item: any) => [`TX#HPRES${tag}1`, `TX#HPRES${tag}2`, `SUB#SRES${tag}`].includes(bare(item.pk)));
      assert.deepEqual(records.map((item: any) => item.email), [pseudonym, pseudonym, pseudonym].slice(0, records.length));
      assert.ok(records.length >= 2);
      const [enrollment] = (await api.enrollments({ email: pseudonym })).body.items;
      assert.deepEqual([enrollment.hasAccess, enrollment.transactions.length], [true, 2]);
      await post(freshEvent('PURCHASE_REFUNDED', { transaction: `HPRES${tag}1`, email, productId: MAPPED }));
      const refunded = (await api.enrollments({ email: pseudonym })).body.items[0];
      assert.deepEqual(refunded.transactions.find((t: any) => t.transaction === `HPRES${tag}1`).status, 'REFUNDED');
    });
  }
});
