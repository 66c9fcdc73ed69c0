import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../domain/errors.ts';
import type { Knowledge, Outcome } from '../domain/write-plan.ts';
import { classifyEvent, needsMappings, planEvent } from '../domain/plan-event.ts';
import type { HotmartEvent } from '../domain/hotmart/event.ts';
import type { ProductMappings } from '../domain/mapping.ts';
import type { MappingLookup } from './mapping-cache.ts';
import { withMapping } from './mapping-cache.ts';
import type { CommitArrival, CommitMode, CommitSource, EventStore } from './ports.ts';

export type ApplyDeps = { events: EventStore; mappings: MappingLookup };
/** `arrival`: the event answers a delivery, counted in the school's status (a repeat of an id, which writes nothing, too). */
/** `source`: who applies it, for the feed's cause (default: the mode's, see CommitSource). */
export type ApplyOptions = { receivedAt: number; mode?: CommitMode; source?: CommitSource; arrival?: CommitArrival | undefined };

/**
 * Attempts before giving up with 503. A stale plan costs one attempt (it taught us the store's
 * real state); contention — concurrent transactions on the same items — backs off exponentially
 * with jitter, so even a burst of copies of one delivery settles well within the Lambda timeout.
 */
const MAX_ATTEMPTS = 12;
const backoff = (attempt: number) => Math.random() * Math.min(250, 10 * 2 ** attempt);

/**
 * Records one event and applies its effect in a single atomic write. The write is planned on
 * what we know (or predict) of the transaction, subscription and mappings; if DynamoDB's
 * conditions show the plan was made on a wrong picture, the cancellation carries the real items
 * and we plan again. No decision is taken on a read that a concurrent writer could invalidate.
 */
export async function applyHotmartEvent(event: HotmartEvent, deps: ApplyDeps, options: ApplyOptions): Promise<Outcome> {
  const mode = options.mode ?? 'new';
  const knowledge: Knowledge = {};
  if (needsMappings(event)) knowledge.mappings = await deps.mappings.get(event.productId!);
  // A subscription's first charge usually creates its record; anything else reads it first.
  if (classifyEvent(event) === 'subscription' && !(event.event === 'PURCHASE_APPROVED' && event.recurrenceNumber === 1)) {
    knowledge.subscription = await deps.events.getSubscription(event.subscriberCode!);
  }

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const plan = planEvent(event, knowledge);
    if (mode === 'parked' && plan.park) return plan.outcome;
    const result = await deps.events.commit(event, plan, { receivedAt: options.receivedAt, mode, ...(options.source ? { source: options.source } : {}), arrival: options.arrival });
    if (result.committed) return plan.outcome;

    switch (result.conflict) {
      case 'duplicate': {
        const outcome: Outcome = event.test ? plan.outcome : { status: 'duplicate', detail: `event ${event.id} was already received` };
        if (options.arrival) await deps.events.countRepeat(options.arrival.answered ?? outcome.status, options.receivedAt);
        return outcome;
      }
      case 'alreadyApplied':
        return { status: 'duplicate', detail: `event ${event.id} was already applied` };
      case 'businessDuplicate': {
        const outcome: Outcome = {
          status: 'duplicate',
          detail: `${event.event} of transaction ${event.transaction} was already received as event ${result.duplicateOf}`,
          duplicateOf: result.duplicateOf,
        };
        await deps.events.recordDuplicate(event, outcome, options.receivedAt, options.arrival && (options.arrival.answered ?? outcome.status));
        return outcome;
      }
      case 'contention':
        await sleep(backoff(attempt));
        break;
      case 'stale':
        if (result.tx !== undefined) knowledge.tx = result.tx;
        if (result.subscription !== undefined) knowledge.subscription = result.subscription;
        for (const { expectation, mapping } of result.mappings ?? []) {
          deps.mappings.remember(expectation, mapping);
          knowledge.mappings = withMapping(knowledge.mappings as ProductMappings, expectation, mapping);
        }
        break;
    }
  }
  throw new AppError('STORAGE.CONTENTION', 'too many concurrent writes to the same enrollment; retry later');
}
