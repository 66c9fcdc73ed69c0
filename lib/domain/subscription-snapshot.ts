import type { HotmartEvent } from './hotmart/event.ts';
import { reconciliationId } from './hotmart/api-sales.ts';
import type { SubscriptionSnapshot } from './hotmart/api-subscriptions.ts';
import { subscriptionStanding } from './hotmart/api-subscriptions.ts';
import { DEFAULT_POLICY } from './mapping.ts';
import type { SubscriptionFact } from './subscription-rules.ts';
import { foldSubscription, sortFacts, subscriptionFact } from './subscription-rules.ts';
import type { SubscriptionRecord } from './write-plan.ts';

/**
 * A subscription as Hotmart's subscriptions API reports it (hotmart/api-subscriptions.ts), compared with ours.
 *
 * Reconciliation turns the difference into the events whose webhooks were lost — the first
 * charge, a recovery, a delay, a cancellation — and applies them through the webhook's path. An
 * event is applied only if folding it in changes the subscription's state, so a run over
 * subscriptions we already agree with writes nothing; and its id is derived from what Hotmart
 * reported, so the same report never applies twice.
 */
export type SnapshotPlan = { events: HotmartEvent[] } | { skip: string };

/**
 * The events that bring our subscription record to what Hotmart reports at `observedAt`, in the
 * order to apply them; none when the two agree.
 */
export function eventsForSnapshot(snapshot: SubscriptionSnapshot, record: SubscriptionRecord | null, observedAt: number): SnapshotPlan {
  const { status } = snapshot;
  const standing = subscriptionStanding(status);
  if (standing === undefined) return { skip: `subscription status ${status.slice(0, 32)} changes no access` };
  const base = {
    version: 'api' as const,
    productId: snapshot.productId,
    ...(snapshot.productName ? { productName: snapshot.productName } : {}),
    subscriberCode: snapshot.subscriberCode,
    buyerEmail: snapshot.email,
    ...(snapshot.name ? { buyerName: snapshot.name } : {}),
    ...(snapshot.planId ? { planId: snapshot.planId } : {}),
    ...(snapshot.planName ? { planName: snapshot.planName } : {}),
    test: snapshot.productId === '0',
  };
  const policy = record?.policy ?? DEFAULT_POLICY;
  let facts: SubscriptionFact[] = record?.facts ?? [];
  const events: HotmartEvent[] = [];
  const changes = (event: HotmartEvent) => {
    const before = foldSubscription(facts, policy);
    const after = foldSubscription([...facts, subscriptionFact(event)!], policy);
    return before.status !== after.status || before.accessUntil !== after.accessUntil;
  };

  // No charge known: the first charge's webhook was lost. It paid until the next charge date —
  // without one, the access it gave would have no end, so it is not applied.
  if (!facts.some((f) => f.kind === 'charge')) {
    if (!snapshot.transaction || snapshot.accessionDate === undefined) return { skip: 'subscription without its first transaction or accession date' };
    if (snapshot.dateNextCharge === undefined) return { skip: 'subscription without a next charge date: not applied, its access would have no end' };
    const first: HotmartEvent = {
      ...base,
      id: reconciliationId(snapshot.transaction, 'PURCHASE_APPROVED'),
      event: 'PURCHASE_APPROVED',
      creationDate: snapshot.accessionDate,
      transaction: snapshot.transaction,
      purchaseStatus: 'APPROVED',
      recurrenceNumber: 1,
      approvedDate: snapshot.accessionDate,
      dateNextCharge: snapshot.dateNextCharge,
    };
    events.push(first);
    facts = [...facts, subscriptionFact(first)!];
  }

  // Hotmart's status is a fact as of now: dated at the observation, so that it folds in after every
  // event we know of, and a later report (or a webhook sent later) folds in after it. A webhook
  // older than the observation that arrives after the run folds in before it, and if the API had
  // not yet caught up with it, the next run's observation corrects the state.
  const key = (what: string, date: number | undefined) => reconciliationId(`${snapshot.subscriberCode}|${date ?? ''}`, what);
  let candidate: HotmartEvent | undefined;
  if (standing === 'paying' && snapshot.dateNextCharge !== undefined) {
    // Paid up to the next charge: a renewal, or a recovery from a delay, whose webhook was lost.
    // ACTIVE alone does not undo a cancellation, a refund or a dispute recorded here: Hotmart may
    // show a subscription active while a charge is disputed, and a reactivation comes with a charge.
    const now = foldSubscription(facts, policy).status;
    const lastSuspension = sortFacts(facts).filter((f) => f.kind === 'delayed' || f.kind === 'dispute').at(-1);
    if (now === 'active' || (now === 'suspended' && lastSuspension?.kind === 'delayed')) {
      candidate = { ...base, id: key('ACTIVE', snapshot.dateNextCharge), event: 'PURCHASE_APPROVED', creationDate: observedAt, dateNextCharge: snapshot.dateNextCharge };
    } else if (events.length === 0) {
      return { skip: `Hotmart reports ACTIVE a subscription ${now === 'suspended' ? 'disputed' : now} here: left to its own events` };
    }
  } else if (standing === 'late') {
    candidate = { ...base, id: key('DELAYED', snapshot.dateNextCharge), event: 'PURCHASE_DELAYED', creationDate: observedAt };
  } else if (standing === 'ended') {
    const ended = Math.min(snapshot.endDate ?? snapshot.requestDate ?? observedAt, observedAt);
    candidate = {
      ...base,
      id: key('CANCELLED', ended),
      event: 'SUBSCRIPTION_CANCELLATION',
      creationDate: observedAt,
      cancellationDate: ended,
      // The end of the paid period; without it, access ends at the cancellation rather than never.
      dateNextCharge: snapshot.dateNextCharge ?? ended,
    };
  }
  if (candidate && changes(candidate)) events.push(candidate);
  return { events };
}
