import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { recoveryRoutes } from '../../functions/recovery/routes.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { TOKEN, captureLogs, createTestStack, fixture, freshEvent, loadHandlers, schoolRoute } from '../helpers/stack.ts';
import { realDeps, storesOf } from '../helpers/schools.ts';

await createTestStack();
const api = await loadHandlers();
const deps = await storesOf(api.schoolId);
const PRODUCT = 9_000_001;
await api.putMapping(String(PRODUCT), { targets: [{ type: 'course', id: 'recover' }] });

describe('quarantine', () => {
  it('lists quarantined deliveries without token or personal data, page by page', async () => {
    const bad = [1, 2, 3].map((n) =>
      JSON.stringify({ id: `bad-${n}`, event: 'PURCHASE_APPROVED', version: '9.0.0', hottok: TOKEN, data: { buyer: { email: 'x@example.com', document: '12345678909', checkout_phone: '11987654321' } } }),
    );
    for (const body of bad) assert.equal((await api.postWebhook(body)).statusCode, 202);
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.quarantine({ limit: '2', ...(cursor ? { cursor } : {}) });
      assert.equal(page.statusCode, 200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 3);
    const text = JSON.stringify(seen);
    for (const secret of [TOKEN, '12345678909', '11987654321']) assert.ok(!text.includes(secret), `listed ${secret}`);
    assert.match(seen[0].reason, /unsupported version/);
    assert.ok(!Number.isNaN(Date.parse(seen[0].expiresAt)));
  });

  it('replays a delivery that today’s parser understands: applied once, out of quarantine', async () => {
    // As an older parser would have left it: a valid delivery, quarantined.
    const body = JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPQUAR1', email: 'late@example.com', productId: PRODUCT }));
    const id = createHash('sha256').update(body).digest('hex');
    await deps.quarantine.put({ id, reason: 'older parser', contentType: 'application/json', body, receivedAt: Date.now(), expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const replay = await api.replayQuarantined(id);
    assert.equal(replay.statusCode, 200);
    assert.equal(replay.body.status, 'processed');
    assert.equal((await api.enrollments({ email: 'late@example.com' })).body.items[0].hasAccess, true);
    assert.equal((await api.replayQuarantined(id)).statusCode, 404);
    assert.equal((await api.postWebhook(body)).body.status, 'duplicate');
  });

  it('keeps a delivery that still is not understood, with the current reason', async () => {
    const body = '{"id": "still-broken", ';
    const quarantined = await api.postWebhook(body);
    const replay = await api.replayQuarantined(quarantined.body.quarantineId);
    assert.equal(replay.statusCode, 200);
    assert.deepEqual([replay.body.status, replay.body.reason], ['quarantined', 'body is not valid JSON']);
    assert.ok(await deps.quarantine.get(quarantined.body.quarantineId));
    assert.equal((await api.replayQuarantined('0'.repeat(64))).statusCode, 404);
    assert.equal((await api.replayQuarantined('not-an-id')).statusCode, 400);
  });
});

describe('replaying a quarantined delivery with a corrected body', () => {
  const OPERATOR = 'arn:aws:iam::123456789012:user/operadora';
  const logger = createLogger('recovery', 'DEBUG');
  const recovery = httpHandler(logger, [], recoveryRoutes(realDeps(), logger));
  const replay = (id: string, correction?: unknown, authorizer?: unknown) =>
    schoolRoute(api.schoolId)(recovery, 'POST /quarantine/{id}/replay', { id }, {
      ...(correction !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(correction) } : {}),
      ...(authorizer ? { authorizer } : {}),
    });

  it('applies the operator’s correction of a body today’s parser refuses, logging who and when but not the body', async () => {
    const broken = freshEvent('PURCHASE_APPROVED', { transaction: 'HPFIX1', email: 'ana maria@example.com', productId: PRODUCT });
    const quarantined = await api.postWebhook(JSON.stringify(broken));
    assert.equal(quarantined.statusCode, 202);
    const id = quarantined.body.quarantineId;
    assert.equal((await replay(id)).body.status, 'quarantined', 'the stored body still fails: it needs a correction');

    // A correction that still fails leaves the record as it was.
    const stillBroken = await replay(id, { body: JSON.stringify({ ...broken, version: '9' }) });
    assert.deepEqual([stillBroken.statusCode, stillBroken.body.status, stillBroken.body.quarantineId], [200, 'quarantined', id]);
    assert.match(stillBroken.body.reason, /unsupported version/);
    const kept = (await deps.quarantine.get(id))!;
    assert.ok(kept.body.includes('ana maria@example.com'));

    const corrected = JSON.stringify({ ...broken, data: { ...broken.data, buyer: { ...broken.data.buyer, email: 'ana.maria@example.com' } } });
    let answer: any;
    const lines = await captureLogs(async () => {
      answer = await replay(id, { body: corrected, contentType: 'application/json' }, { iam: { userArn: OPERATOR, userId: 'AIDAEXAMPLE' } });
    });
    assert.deepEqual([answer.statusCode, answer.body.status, answer.body.eventId], [200, 'processed', broken.id]);
    assert.equal((await api.enrollments({ email: 'ana.maria@example.com' })).body.items[0].hasAccess, true);
    assert.equal(await deps.quarantine.get(id), undefined);
    assert.equal((await api.event(broken.id)).body.receivedAt, new Date(kept.receivedAt).toISOString(), 'applied as received when the original came');

    const audit = lines.map((line) => JSON.parse(line)).filter((line) => line.quarantineId === id);
    assert.deepEqual(audit.map((l) => [l.by, l.corrected, l.schoolId]), [[OPERATOR, true, api.schoolId], [OPERATOR, true, api.schoolId]]);
    assert.equal(audit.at(-1).status, 'processed');
    assert.ok(audit.every((l) => !Number.isNaN(Date.parse(l.time))));
    assert.ok(!lines.join('\n').includes('ana.maria'), 'the corrected body was logged');
    assert.equal((await api.postWebhook(corrected)).body.status, 'duplicate');
  });

  it('refuses a malformed correction with 400, and names "local" as the caller without IAM', async () => {
    const quarantined = await api.postWebhook(JSON.stringify({ id: 'fix-me', event: 'PURCHASE_APPROVED', version: '8', data: {} }));
    const id = quarantined.body.quarantineId;
    for (const correction of [{}, { body: 5 }, { body: '{}', contentType: 'text/plain' }, { body: '{}', extra: true }, { body: 'x'.repeat(256 * 1024 + 1) }]) {
      const refused = await replay(id, correction);
      assert.equal(refused.statusCode, 400, JSON.stringify(correction).slice(0, 60));
    }
    const lines = await captureLogs(async () => void (await replay(id)));
    assert.equal(JSON.parse(lines[0]!).by, 'local');
    assert.ok(await deps.quarantine.get(id));
  });
});

describe('event replay', () => {
  it('re-applies a stored event idempotently', async () => {
    const body = freshEvent('PURCHASE_APPROVED', { transaction: 'HPREPLAY1', email: 'replay@example.com', productId: PRODUCT });
    await api.postWebhook(JSON.stringify(body));
    const before = (await api.enrollments({ email: 'replay@example.com' })).body.items;
    for (let i = 0; i < 2; i++) {
      const replay = await api.replayEvent(body.id);
      assert.equal(replay.statusCode, 200);
      assert.equal(replay.body.status, 'processed');
      assert.match(replay.body.detail, /already APPROVED: no change/);
    }
    const after = (await api.enrollments({ email: 'replay@example.com' })).body.items;
    assert.deepEqual(after.map((e: any) => [e.target, e.status, e.transactions]), before.map((e: any) => [e.target, e.status, e.transactions]));
    assert.ok((await api.event(body.id)).body.replayedAt);
    assert.equal((await api.replayEvent('no-such-event')).statusCode, 404);
  });

  it('keeps an unmapped purchase waiting when replayed, and finds it applied once its mapping exists', async () => {
    const waiting = freshEvent('PURCHASE_APPROVED', { transaction: 'HPREPLAY2', email: 'waiting@example.com', productId: 9_000_002 });
    assert.equal((await api.postWebhook(JSON.stringify(waiting))).body.status, 'unmapped');
    assert.equal((await api.replayEvent(waiting.id)).body.status, 'unmapped');
    await api.putMapping('9000002', { targets: [{ type: 'course', id: 'later' }] });
    assert.equal((await api.enrollments({ email: 'waiting@example.com' })).body.items[0].hasAccess, true);
    // The mapping applied it; a replay now finds it applied.
    assert.match((await api.replayEvent(waiting.id)).body.detail, /already APPROVED/);
  });

  it('accepts a v1 form quarantined and replayed as its v2 twin', async () => {
    const form = new URLSearchParams(fixture('v1.0.0-purchase-approved.form-urlencoded.txt').trim());
    form.delete('subscriber_code');
    form.set('prod', String(PRODUCT));
    form.set('transaction', 'HPQUARV1');
    const body = form.toString();
    const id = createHash('sha256').update(body).digest('hex');
    await deps.quarantine.put({ id, reason: 'older parser', contentType: 'application/x-www-form-urlencoded', body, receivedAt: Date.now(), expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    assert.equal((await api.replayQuarantined(id)).body.status, 'processed');
  });
});
