import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { loadConfig } from '#lib/config.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { enrollmentRoutes } from '../../functions/enrollments/routes.ts';
import { createTestStack, freshEvent, loadHandlers, schoolRoute } from '../helpers/stack.ts';

await createTestStack();
const a = await loadHandlers('manual-a');
const b = await loadHandlers('manual-b');
const PAID = 9_500_001;
await a.putMapping(String(PAID), { targets: [{ type: 'course', id: 'paid' }] });
await b.putMapping(String(PAID), { targets: [{ type: 'course', id: 'paid' }] });

/** The read API as its function builds it, on a clock the test sets. */
let clock = Date.now();
const deps = createDynamoDeps(loadConfig());
const clocked = httpHandler(createLogger('manual-test', 'SILENT'), [], enrollmentRoutes({ schools: deps.schools, storesFor: (scope) => ({ ...deps.storesFor(scope), clock: () => clock }) }));
const readAt = (email: string) => schoolRoute('manual-a')(clocked, 'GET /enrollments', {}, { query: { email } });

const only = async (api: typeof a, email: string) => {
  const { statusCode, body } = await api.enrollments({ email });
  assert.equal(statusCode, 200);
  return body.items as any[];
};

describe('manual enrollments: PUT|DELETE /schools/{schoolId}/students/{email}/enrollments/{targetType}/{targetId}', () => {
  it('grants a manual-only enrollment (201, then 200 replacing it), shown by the student’s list and the roster with access', async () => {
    const iam = { iam: { userArn: 'arn:aws:iam::123456789012:user/ops' } };
    const first = await a.grantManual('Review.Student@Example.com', 'course', 'review', { note: 'Hotmart review', until: '2099-01-01T00:00:00Z' }, iam);
    assert.equal(first.statusCode, 201, first.rawBody);
    assert.deepEqual(first.body.manual, { grantedAt: first.body.manual.grantedAt, note: 'Hotmart review', until: '2099-01-01T00:00:00.000Z' });
    assert.equal(first.body.hasAccess, true);
    const again = await a.grantManual('review.student@example.com', 'course', 'review', { note: 'Hotmart review, extended' });
    assert.equal(again.statusCode, 200, again.rawBody);
    assert.equal(again.body.manual.until, null);

    const [item, ...rest] = await only(a, 'review.student@example.com');
    assert.equal(rest.length, 0);
    assert.equal(item.email, 'review.student@example.com', 'the e-mail normalised');
    assert.deepEqual({ status: item.status, hasAccess: item.hasAccess, transactions: item.transactions, productId: item.productId }, { status: 'active', hasAccess: true, transactions: [], productId: null });
    assert.deepEqual(Object.keys(item.manual).sort(), ['grantedAt', 'note', 'until'], 'who granted is not in the answer');
    assert.equal(item.manual.note, 'Hotmart review, extended');

    const roster = await a.enrollments({ targetType: 'course', targetId: 'review' });
    assert.deepEqual(roster.body.items.map((e: any) => [e.email, e.hasAccess, e.manual?.note]), [['review.student@example.com', true, 'Hotmart review, extended']]);
    // The other school knows nothing of it.
    assert.deepEqual(await only(b, 'review.student@example.com'), []);
    assert.deepEqual((await b.enrollments({ targetType: 'course', targetId: 'review' })).body.items, []);
  });

  it('DELETE removes the grant only: paid access stays, a manual-only enrollment goes; a missing grant is a 404', async () => {
    await a.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPMAN1', email: 'buyer@example.com', productId: PAID })));
    const beside = await a.grantManual('buyer@example.com', 'course', 'paid', {});
    assert.equal(beside.statusCode, 201);
    assert.deepEqual(beside.body.transactions, [{ transaction: 'HPMAN1', status: 'APPROVED' }], 'the purchase untouched');
    await a.grantManual('buyer@example.com', 'course', 'bonus', { note: 'complimentary' });

    assert.equal((await a.revokeManual('buyer@example.com', 'course', 'paid')).statusCode, 204);
    assert.equal((await a.revokeManual('buyer@example.com', 'course', 'bonus')).statusCode, 204);
    const items = await only(a, 'buyer@example.com');
    assert.deepEqual(items.map((e) => [e.target.id, e.status, e.hasAccess, e.manual, e.transactions.length]), [['paid', 'active', true, null, 1]]);
    assert.deepEqual((await a.enrollments({ targetType: 'course', targetId: 'bonus' })).body.items, []);

    const missing = await a.revokeManual('buyer@example.com', 'course', 'paid');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.body.error.code, 'ENROLLMENT.MANUAL_NOT_FOUND');
    // Another school's grant of the same student and target is another fact.
    assert.equal((await b.revokeManual('review.student@example.com', 'course', 'review')).statusCode, 404);
  });

  it('gives access over a refunded purchase while valid, and nothing once `until` is reached (the read API’s clock)', async () => {
    await a.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPMAN2', email: 'refunded@example.com', productId: PAID })));
    await a.postWebhook(JSON.stringify(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPMAN2', email: 'refunded@example.com', productId: PAID })));
    const until = Date.now() + 3_600_000;
    await a.grantManual('refunded@example.com', 'course', 'paid', { until: new Date(until).toISOString() });
    await a.grantManual('expiring@example.com', 'course', 'review', { until: new Date(until).toISOString() });
    const seen = async (email: string, at: number) => {
      clock = at;
      return (await readAt(email)).body.items.map((e: any) => [e.status, e.hasAccess]);
    };
    assert.deepEqual(await seen('refunded@example.com', until - 1), [['active', true]]);
    assert.deepEqual(await seen('refunded@example.com', until), [['revoked', false]]);
    assert.deepEqual(await seen('expiring@example.com', until - 1), [['active', true]]);
    assert.deepEqual(await seen('expiring@example.com', until), [['revoked', false]], 'listed still, with no access');
  });

  it('refuses a past `until`, a bad target, a long note and unknown keys (400), and answers 404 for an unknown school', async () => {
    const bad = async (body: unknown, targetType = 'course', targetId = 'x', email = 'ok@example.com') => (await a.grantManual(email, targetType, targetId, body)).statusCode;
    assert.equal(await bad({ until: new Date(Date.now() - 1000).toISOString() }), 400);
    assert.equal(await bad({ until: 'tomorrow' }), 400);
    assert.equal(await bad({ note: 'x'.repeat(501) }), 400);
    assert.equal(await bad({ notes: 'typo' }), 400);
    assert.equal(await bad({}, 'webinar'), 400);
    assert.equal(await bad({}, 'course', 'has space'), 400);
    assert.equal(await bad({}, 'course', 'x', 'not-an-email'), 400);
    assert.deepEqual(await only(a, 'ok@example.com'), [], 'nothing stored');
    const ghost = await schoolRoute('manual-nobody')((await import('../../functions/manual-enrollments/handler.ts')).handler, 'PUT /students/{email}/enrollments/{targetType}/{targetId}', { email: 'x@example.com', targetType: 'course', targetId: 'x' }, { body: '{}' });
    assert.equal(ghost.statusCode, 404);
    assert.equal(ghost.body.error.code, 'SCHOOL.NOT_FOUND');
  });

  it('erasing the student covers a manual-only enrollment and removes its note; the other school’s stays as it was', async () => {
    await a.grantManual('erase.me@example.com', 'course', 'review', { note: 'Maria, CPF 123' });
    await b.grantManual('erase.me@example.com', 'course', 'review', { note: 'Maria in B' });
    const erased = await a.eraseStudent('erase.me@example.com');
    assert.equal(erased.statusCode, 200, erased.rawBody);
    assert.deepEqual(await only(a, 'erase.me@example.com'), []);
    const roster = (await a.enrollments({ targetType: 'course', targetId: 'review' })).body.items.filter((e: any) => e.email === erased.body.pseudonym);
    assert.deepEqual(roster.map((e: any) => [e.hasAccess, e.manual.note]), [[true, null]], 'pseudonymised, the grant kept, the note gone');
    assert.equal((await only(b, 'erase.me@example.com'))[0].manual.note, 'Maria in B');
  });
});
