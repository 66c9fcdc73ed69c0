import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { ConsumerState } from '#lib/domain/feed/consumer.ts';
import { applyIfNewer, enrollmentKeyOf } from '#lib/domain/feed/consumer.ts';
import { feedStateOf } from '#lib/domain/feed/state.ts';
import { createTestStack, freshEvent, loadHandlers } from '../helpers/stack.ts';
import { storesOf } from '../helpers/schools.ts';
import { startFeedCapture } from '../helpers/feed-capture.ts';
import { deliveredInAnyOrder, seededRandom } from '../helpers/feed.ts';

await createTestStack();
const api = await loadHandlers('feed-sequences');
const { scope } = await storesOf(api.schoolId);
const capture = await startFeedCapture();
after(() => capture.stop());
const PRODUCT = 9_700_001;
await api.putMapping(String(PRODUCT), { targets: [{ type: 'course', id: 'p1' }, { type: 'class', id: 'p2' }], policy: { onDispute: 'suspend' } });

/** What Hotmart may send about one buyer's two purchases of the product. */
const STEPS = [
  ['PURCHASE_APPROVED', 'A'],
  ['PURCHASE_COMPLETE', 'A'],
  ['PURCHASE_PROTEST', 'A'],
  ['PURCHASE_REFUNDED', 'A'],
  ['PURCHASE_APPROVED', 'B'],
  ['PURCHASE_CHARGEBACK', 'B'],
] as const;

describe('feed sequences (property): any timeline, delivered in any order with copies', () => {
  it('gives each enrollment gap-free sequences, and a consumer applying only higher sequences ends at exactly GET …/enrollments', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: STEPS.length - 1 }), { minLength: 1, maxLength: 6 }), fc.integer(), async (steps, seed) => {
        const email = `${randomUUID().slice(0, 8)}@example.com`;
        const tx = `HP${randomUUID().slice(0, 6).toUpperCase()}`;
        const timeline = steps.map((step, i) => freshEvent(STEPS[step]![0], { transaction: `${tx}${STEPS[step]![1]}`, email, productId: PRODUCT, creationDate: Date.UTC(2026, 0, 1) + i * 60_000 }));
        const random = seededRandom(seed);
        for (const delivery of deliveredInAnyOrder(timeline, random, 2)) assert.equal((await api.postWebhook(JSON.stringify(delivery))).statusCode, 200);
        await capture.drain();
        const events = (await capture.events(scope)).map(({ event }) => event).filter((event) => event.enrollment.email === email);
        const byEnrollment = new Map<string, number[]>();
        for (const event of events) byEnrollment.set(enrollmentKeyOf(event), [...(byEnrollment.get(enrollmentKeyOf(event)) ?? []), event.sequence]);
        for (const [key, sequences] of byEnrollment) assert.deepEqual(sequences, sequences.map((_, i) => i + 1), `gap-free, in emission order: ${key}`);
        let consumer: ConsumerState = new Map();
        for (const event of deliveredInAnyOrder(events, random, 3)) consumer = applyIfNewer(consumer, event);
        // The state (status, hasAccess, accessUntil, manual): a write that changes nothing else (a COMPLETE moving a transaction) is no event.
        const { body } = await api.enrollments({ email });
        const stateOf = (view: any) => [view.target.id, feedStateOf(view)] as const;
        assert.deepEqual(
          [...consumer.values()].map((applied) => stateOf(applied.enrollment)).sort(([a], [b]) => a.localeCompare(b)),
          body.items.map(stateOf).sort(([a]: any, [b]: any) => a.localeCompare(b)),
        );
      }),
      { numRuns: 12 },
    );
  });
});
