import type { HotmartEvent } from './hotmart/event.ts';
import type { Mapping, ProductMappings, Target } from './mapping.ts';
import { DEFAULT_POLICY, resolveMapping, targetKey } from './mapping.ts';
import { sameData } from './same-data.ts';
import type { SubscriptionFact, SubscriptionState } from './subscription-rules.ts';
import { currentOffer, foldSubscription, mirrorFor, offersInForce, subscriptionFact } from './subscription-rules.ts';
import type { Knowledge, MappingExpectation, Outcome, Plan, SubscriptionRecord } from './write-plan.ts';
import { NO_MAPPINGS, mappingExpectations } from './write-plan.ts';

/**
 * The planning of a subscription event (README: "Subscriptions"): the received fact is added to
 * the subscription's record, the record is folded (subscription-rules.ts), and the state is
 * mirrored on the enrollment of every target the subscription was ever on.
 *
 * Subscription events are deduplicated as facts, not by (transaction, event): a charge's approval,
 * completion or refund is one fact however many copies arrive — the earliest time and every field
 * any copy carried (a v1 twin has no next-charge date) — so the fold does not depend on which copy
 * came first; disputes, delays and subscription events are compared by content, so two disputes
 * of one charge at different times are two facts, folded in time order.
 */

/** A charge is approved, completed, refunded or refused once: any copy of those names the same transaction. */
const ONCE_PER_TRANSACTION: ReadonlySet<SubscriptionFact['kind']> = new Set(['charge', 'complete', 'refund', 'failed']);

/** Same business event: what a second webhook configuration, or the v1 twin, sends under another id. */
export function sameFact(a: SubscriptionFact, b: SubscriptionFact): boolean {
  if (ONCE_PER_TRANSACTION.has(a.kind) && a.transaction !== undefined) {
    return a.kind === b.kind && a.transaction === b.transaction && a.chargeStatus === b.chargeStatus;
  }
  const { eventId: _a, ...left } = a;
  const { eventId: _b, ...right } = b;
  return sameData(left, right);
}

/** The received fact, merged with the copy of it already recorded (if any): the earliest time, every field either carried. */
function mergeCopy(received: SubscriptionFact, existing: SubscriptionRecord | null): { fact: SubscriptionFact; copyOf?: SubscriptionFact } {
  const copyOf = existing?.facts.find((f) => f.eventId !== received.eventId && sameFact(f, received));
  if (!copyOf) return { fact: received };
  return { fact: { ...received, ...copyOf, at: Math.min(copyOf.at, received.at) }, copyOf };
}

const unionTargets = (...lists: readonly (readonly Target[])[]): Target[] => [...new Map(lists.flat().map((target) => [targetKey(target), target])).values()];

/**
 * The subscription's targets: those of the plan in force, and those its enrollments are mirrored
 * on — every plan it was ever on, once it has a charge: those not in force show `switched`,
 * whether the switch arrived before or after the charges it follows.
 */
function subscriptionTargets(facts: readonly SubscriptionFact[], mapping: Mapping | null, mappings: ProductMappings, existing: SubscriptionRecord | null) {
  const targets = mapping?.targets ?? existing?.targets ?? [];
  const history = offersInForce(facts).flatMap((o) => resolveMapping(mappings, o)?.targets ?? []);
  const mirrored = facts.some((f) => f.kind === 'charge') ? unionTargets(targets, existing?.grantedTargets ?? [], history) : [];
  return { targets, mirrored };
}

/** A suspended or revoked subscription gives no access, whatever date its paid period ends. */
function accessPhrase(state: SubscriptionState): string {
  if (state.status === 'suspended') return ', no access while suspended';
  if ((state.status === 'active' || state.status === 'cancelled') && state.accessUntil) return `, access until ${new Date(state.accessUntil).toISOString()}`;
  return '';
}

/** What the fact did to the subscription, said for the answer's detail. */
function describeChange(subscriberCode: string, fact: SubscriptionFact, before: string | null, state: SubscriptionState, mirrored: readonly Target[], targets: readonly Target[]): string {
  if (mirrored.length === 0) return `subscription ${subscriberCode} ${fact.kind} recorded (${state.status}); no enrollment yet: its first charge has not been applied`;
  const switched = mirrored.filter((t) => !targets.some((c) => targetKey(c) === targetKey(t)));
  return `subscription ${subscriberCode} ${fact.kind}: ${before ?? 'new'} → ${state.status}${accessPhrase(state)}${switched.length ? `; ${switched.length} target(s) switched away` : ''}`;
}

function parkCharge(event: HotmartEvent, offer: string | undefined, expectMappings: MappingExpectation[]): Plan {
  return {
    outcome: { status: 'unmapped', detail: `product ${event.productId}${offer ? ` (offer ${offer})` : ''} has no mapping: the charge waits and is applied when the mapping is created` },
    claimBusinessKey: false,
    expectMappings,
    park: true,
  };
}

export function planSubscription(event: HotmartEvent, knowledge: Knowledge): Plan {
  const subscriberCode = event.subscriberCode!;
  const existing = knowledge.subscription ?? null;
  const { fact, copyOf } = mergeCopy(subscriptionFact(event)!, existing);
  const duplicate: Outcome | undefined = copyOf && {
    status: 'duplicate',
    detail: `${event.event} of subscription ${subscriberCode} was already received as event ${copyOf.eventId}`,
    duplicateOf: copyOf.eventId,
  };
  if (copyOf && sameData(fact, copyOf)) return { outcome: duplicate!, claimBusinessKey: false };

  const facts = [...(existing?.facts ?? []).filter((f) => f.eventId !== fact.eventId), fact];
  const mappings = knowledge.mappings ?? NO_MAPPINGS;
  const offer = currentOffer(facts);
  const mapping = resolveMapping(mappings, offer);
  const expectMappings = event.productId ? mappingExpectations(event.productId, offer, mappings) : [];
  const { targets, mirrored } = subscriptionTargets(facts, mapping, mappings, existing);
  if (targets.length === 0 && fact.kind === 'charge') return parkCharge(event, offer, expectMappings);

  const policy = mapping?.policy ?? existing?.policy ?? DEFAULT_POLICY;
  const state = foldSubscription(facts, policy);
  const email = existing?.email ?? event.buyerEmail;
  const productId = existing?.productId ?? event.productId;
  const mirrorTargets = email ? mirrored : [];
  const record: SubscriptionRecord = {
    subscriberCode,
    facts,
    ...(email ? { email } : {}),
    ...(productId ? { productId } : {}),
    targets,
    grantedTargets: unionTargets(existing?.grantedTargets ?? [], mirrorTargets),
    policy,
    version: (existing?.version ?? 0) + 1,
  };
  const before = existing ? foldSubscription(existing.facts, existing.policy).status : null;
  // A copy that adds a detail (a v1 twin's missing next-charge date, an earlier time) is kept in
  // the record, but it writes to the enrollments only if it changes what they show: no second effect.
  const unchanged = duplicate !== undefined && existing !== null && sameData(foldSubscription(existing.facts, policy), state);
  return {
    outcome: {
      ...(duplicate ?? { status: 'processed', detail: describeChange(subscriberCode, fact, before, state, mirrorTargets, targets) }),
      effects: mirrorTargets.length ? [{ subscriberCode, ...(event.transaction ? { transaction: event.transaction } : {}), from: before, to: state.status, targets: mirrorTargets }] : [],
    },
    claimBusinessKey: false,
    expectMappings,
    writeSubscription: { record, expectedVersion: existing?.version ?? 0 },
    ...(mirrorTargets.length && email && productId && !unchanged
      ? { subscriptionEnrollments: { email, productId, subscriberCode, mirrors: mirrorTargets.map((target) => ({ target, mirror: mirrorFor(target, targets, state) })) } }
      : {}),
  };
}
