import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { schoolKeys } from '#lib/adapters/dynamodb/keys.ts';
import { newSecret } from '#lib/adapters/webhooks/sign.ts';
import type { Delivery } from '../helpers/feed-runtime.ts';
import { startReceiver, startTestFeedRuntime } from '../helpers/feed-runtime.ts';
import { newScope } from '../helpers/feed-store.ts';

const HOUR = 3_600_000;
let feed: Awaited<ReturnType<typeof startTestFeedRuntime>>;
before(async () => (feed = await startTestFeedRuntime()));
after(() => feed.stop());

const itemOf = async (scope: string, id: string) =>
  (await feed.db.send(new GetCommand({ TableName: feed.table, Key: schoolKeys(scope).keys.feedEvent(id), ConsistentRead: true }))).Item!;
const endpointOf = async (scope: string) => (await feed.db.send(new GetCommand({ TableName: feed.table, Key: schoolKeys(scope).keys.feedEndpoint, ConsistentRead: true }))).Item!;

/** Each enrollment's accepted sequences, in the order they were accepted. */
const sequencesByEmail = (deliveries: Delivery[]) => {
  const out: Record<string, number[]> = {};
  for (const d of deliveries) (out[d.email] ??= []).push(d.sequence);
  return out;
};

/** Three enrollments' events written interleaved (1 of each, then 2 of each, …), as concurrent purchases would be. */
async function interleaved(scope: string, emails: string[], count: number) {
  const ids: Record<string, string[]> = {};
  for (let sequence = 1; sequence <= count; sequence++) {
    for (const email of emails) {
      const previousEventId = ids[email]?.at(-1) ?? null;
      const [id] = await feed.store.putEnrollmentEvents(scope, email, 1, { startSequence: sequence, previousEventId });
      (ids[email] ??= []).push(id!);
    }
  }
  return ids;
}

describe('feed delivery (enqueue → FIFO → sender) on the local runtime', () => {
  it('a receiver that answers 503 for a while, then 200, gets every event once per id, in order per enrollment; the bus gets every event with detail-type = type', async () => {
    const scope = newScope();
    const secret = newSecret();
    const receiver = await startReceiver(secret, (_event, count) => (count < 5 ? 503 : 200));
    await feed.store.putEndpoint(scope, { url: receiver.url, secrets: [secret] });
    const emails = ['ana@example.com', 'bia@example.com', 'caio@example.com'];
    const ids = await interleaved(scope, emails, 3);
    await feed.settle(HOUR);
    const accepted = receiver.accepted();
    const all = Object.values(ids).flat();
    assert.deepEqual(accepted.map((d) => d.id).sort(), [...all].sort(), 'every event accepted exactly once');
    assert.ok(receiver.deliveries.some((d) => d.status === 503), 'the receiver did refuse some first');
    assert.deepEqual(sequencesByEmail(accepted), Object.fromEntries(emails.map((e) => [e, [1, 2, 3]])));
    for (const id of all) assert.equal((await itemOf(scope, id)).pendingKey, undefined, `${id} no longer pending`);
    const onBus = feed.runtime.bus.entries.filter((e) => all.includes(e.id));
    assert.deepEqual(onBus.map((e) => e.id).sort(), [...all].sort(), 'every event on the bus');
    for (const entry of onBus) {
      assert.equal(entry.source, 'hotmart-enrollments');
      assert.equal(entry.detailType, JSON.parse(entry.detail).type);
    }
    await receiver.close();
  });

  it('a receiver that never recovers leaves the events dead after the 25 h schedule; replay delivers them, in order, once it is back', async () => {
    const scope = newScope();
    const secret = newSecret();
    let down = true;
    const receiver = await startReceiver(secret, () => (down ? 500 : 200));
    await feed.store.putEndpoint(scope, { url: receiver.url, secrets: [secret] });
    const from = new Date(Date.now() - 1000).toISOString();
    const ids = await interleaved(scope, ['dora@example.com', 'edu@example.com'], 2);
    await feed.settle(60 * HOUR);
    for (const id of Object.values(ids).flat()) {
      const item = await itemOf(scope, id);
      assert.equal(item.pendingKey, undefined, 'no longer pending');
      assert.equal(item.deadKey, schoolKeys(scope).attributes.feedDead.deadKey, 'dead');
      assert.ok(item.attempts >= 9 && item.deadAt - item.firstFailedAt >= 25 * HOUR, 'retried for 25 h');
    }
    // In order: an enrollment's second event was first tried once its first one was dead.
    const firstTry = (id: string) => receiver.deliveries.findIndex((d) => d.id === id);
    const lastTry = (id: string) => receiver.deliveries.findLastIndex((d) => d.id === id);
    for (const [first, second] of Object.values(ids)) assert.ok(lastTry(first!) < firstTry(second!));
    assert.equal(receiver.accepted().length, 0);

    down = false;
    await feed.runtime.redrive({ scope, mode: 'replay', from });
    await feed.settle(HOUR);
    assert.deepEqual(sequencesByEmail(receiver.accepted()), { 'dora@example.com': [1, 2], 'edu@example.com': [1, 2] });
    for (const id of Object.values(ids).flat()) assert.equal((await itemOf(scope, id)).deadKey, undefined, 'delivered by the replay: no longer dead');
    await receiver.close();
  });

  it('a 410 disables the endpoint and events stay pending; the re-enable redrive delivers them in order', async () => {
    const scope = newScope();
    const secret = newSecret();
    let gone = true;
    const receiver = await startReceiver(secret, () => (gone ? 410 : 200));
    await feed.store.putEndpoint(scope, { url: receiver.url, secrets: [secret] });
    const ids = await interleaved(scope, ['fabi@example.com', 'gil@example.com'], 2);
    await feed.settle(HOUR);
    assert.ok((await endpointOf(scope)).disabledAt > 0, 'disabled');
    for (const id of Object.values(ids).flat()) assert.ok((await itemOf(scope, id)).pendingKey, 'still pending');
    const triedWhileDisabled = receiver.deliveries.length;
    assert.ok(triedWhileDisabled <= 2, 'nothing more pushed once disabled');

    gone = false;
    await feed.store.putEndpoint(scope, { url: receiver.url, secrets: [secret] }); // the PUT that re-enables it
    await feed.runtime.redrive({ scope, mode: 'pending' });
    await feed.settle(HOUR);
    assert.deepEqual(sequencesByEmail(receiver.accepted()), { 'fabi@example.com': [1, 2], 'gil@example.com': [1, 2] });
    for (const id of Object.values(ids).flat()) assert.equal((await itemOf(scope, id)).pendingKey, undefined);
    await receiver.close();
  });

  it('signs so that the standardwebhooks package verifies with either secret during a rotation and fails with a wrong one', async () => {
    const scope = newScope();
    const [current, previous, wrong] = [newSecret(), newSecret(), newSecret()];
    const receiver = await startReceiver(previous, () => 200, [current, wrong]);
    // The previous secret signs until 24 h after the rotation (on the runtime's clock).
    await feed.store.putEndpoint(scope, { url: receiver.url, secrets: [current!, previous!], previousValidUntil: feed.clock.now() + 24 * HOUR });
    const [id] = await feed.store.putEnrollmentEvents(scope, 'hugo@example.com', 1);
    await feed.settle(HOUR);
    assert.deepEqual(receiver.deliveries.map((d) => [d.id, d.verifiedBy]), [[id, [true, true, false]]]);

    // A platform holding only a wrong secret refuses every delivery: the event is retried, never delivered.
    const other = newScope();
    const strict = await startReceiver(wrong);
    await feed.store.putEndpoint(other, { url: strict.url, secrets: [current] });
    const [refused] = await feed.store.putEnrollmentEvents(other, 'iris@example.com', 1);
    await feed.settle(HOUR);
    assert.ok(strict.deliveries.length >= 2 && strict.deliveries.every((d) => d.status === 401 && !d.verified));
    assert.equal((await itemOf(other, refused!)).lastError, 'HTTP 401');
    await Promise.all([receiver.close(), strict.close()]);
  });

  it('a poison event (a body that is not JSON, or one the endpoint always refuses) goes dead and the other enrollments flow', async () => {
    const scope = newScope();
    const secret = newSecret();
    let refusedId = '';
    const receiver = await startReceiver(secret, (event) => (event.id === refusedId ? 500 : 200));
    await feed.store.putEndpoint(scope, { url: receiver.url, secrets: [secret] });
    const poisonId = feed.store.nextId();
    await feed.store.put(feed.store.eventItem(scope, { id: poisonId, type: 'enrollment.granted', sequence: 1, group: 'poison-group', previousEventId: null, body: '{"id": "evt_', createdAt: Date.now() }));
    refusedId = (await feed.store.putEnrollmentEvents(scope, 'joao@example.com', 1))[0]!;
    const [afterRefused] = await feed.store.putEnrollmentEvents(scope, 'joao@example.com', 1, { startSequence: 2, previousEventId: refusedId! });
    const others = await feed.store.putEnrollmentEvents(scope, 'kim@example.com', 2);
    await feed.runtime.drained();
    assert.deepEqual(sequencesByEmail(receiver.accepted()), { 'kim@example.com': [1, 2] }, 'another enrollment flows at once');
    await feed.settle(60 * HOUR);
    assert.ok((await itemOf(scope, poisonId)).deadKey, 'the unparseable event is dead');
    assert.ok(!feed.runtime.bus.entries.some((e) => e.id === poisonId), 'and never put on the bus');
    assert.ok((await itemOf(scope, refusedId!)).deadKey, 'the always-refused event is dead');
    assert.deepEqual(receiver.accepted().map((d) => d.id), [...others, afterRefused], 'its enrollment flows again once it is dead');
    assert.deepEqual(feed.runtime.streamFailures, []);
    await receiver.close();
  });
});
