import type { HotmartEvent } from './hotmart-event.ts';
import { KNOWN_EVENTS } from './hotmart-event.ts';
import type { Mapping, Policy, ProductMappings, Target } from './mapping.ts';
import { DEFAULT_POLICY, resolveMapping, targetKey, targetsKey } from './mapping.ts';
import type { SubscriptionFact, SubscriptionMirror, SubscriptionState } from './subscription-rules.ts';
import { currentOffer, foldSubscription, mirrorFor, offersInForce, subscriptionFact, subscriptionHasAccess } from './subscription-rules.ts';

/**
 * The enrollment rules for one-time purchases, in one place (README: "Rules"), and the planning
 * of every event into one atomic write.
 *
 * Access comes from purchase transactions. A transaction's status only moves forward —
 * APPROVED → DISPUTE → COMPLETE, and CANCELED / REFUNDED / CHARGEBACK are final: no later event
 * makes the transaction paid again. A final status only yields to a stronger final, so a
 * transaction ends in the same status whatever the arrival order. An enrollment is active while
 * at least one transaction behind it is paid. A dispute (PURCHASE_PROTEST) suspends the
 * transaction only under the `onDispute: suspend` policy; COMPLETE restores it, a refund ends it.
 * Subscription charges follow the subscription lifecycle instead (subscription-rules.ts).
 */

export type TxStatus = 'APPROVED' | 'DISPUTE' | 'COMPLETE' | 'CANCELED' | 'REFUNDED' | 'CHARGEBACK';

/** Events that move a one-time transaction, and the status each moves it to. */
const TRANSACTION_EVENTS: Readonly<Record<string, TxStatus>> = {
  PURCHASE_APPROVED: 'APPROVED',
  PURCHASE_PROTEST: 'DISPUTE',
  PURCHASE_COMPLETE: 'COMPLETE',
  PURCHASE_REFUNDED: 'REFUNDED',
  PURCHASE_CHARGEBACK: 'CHARGEBACK',
  PURCHASE_CANCELED: 'CANCELED',
};

/** Known events that carry nothing for a course platform: acknowledged as `ignored`. */
const IRRELEVANT_EVENTS: ReadonlySet<string> = new Set(['ORDER_FULFILLMENT']);

const RANK: Readonly<Record<TxStatus, number>> = { APPROVED: 1, DISPUTE: 2, COMPLETE: 3, CANCELED: 4, REFUNDED: 5, CHARGEBACK: 6 };

export const isPaid = (status: TxStatus): boolean => status === 'APPROVED' || status === 'COMPLETE';
/** Money was captured: the transaction has targets, even while a dispute suspends them. */
const isCaptured = (status: TxStatus): boolean => isPaid(status) || status === 'DISPUTE';

/** A transaction's next status: the stronger of the two, so it never moves back. */
export function nextTxStatus(current: TxStatus | undefined, incoming: TxStatus): TxStatus {
  if (current === undefined) return incoming;
  return RANK[incoming] > RANK[current] ? incoming : current;
}

export type EnrollmentStatus = 'active' | 'suspended' | 'cancelled' | 'revoked' | 'switched';

/** What the store knows of one transaction: its status and the enrollments it granted. */
export type TransactionState = {
  transaction: string;
  status: TxStatus;
  /** The enrollments this transaction is recorded on: its mapping's targets when it first arrived (none if unmapped then). */
  targets: Target[];
  email: string;
  productId: string;
};

/** What the store keeps per subscriber code: the facts to fold, and where they were mirrored. */
export type SubscriptionRecord = {
  subscriberCode: string;
  facts: SubscriptionFact[];
  email?: string;
  productId?: string;
  /** Targets of the plan in force. */
  targets: Target[];
  /** Every target this subscription ever wrote to, so a switched-away plan can be marked. */
  grantedTargets: Target[];
  /** Policy of the mapping last resolved, used if that mapping disappears. */
  policy: Policy;
  version: number;
};

export type AnswerStatus = 'processed' | 'duplicate' | 'ignored' | 'unmapped' | 'test';

export type Effect = {
  transaction?: string;
  subscriberCode?: string;
  from: string | null;
  to: string;
  targets: Target[];
};

export type Outcome = {
  status: AnswerStatus;
  detail: string;
  effects?: Effect[];
  duplicateOf?: string;
};

/** A mapping item the write depends on: its version, or null for "must not exist". */
export type MappingExpectation = { productId: string; offerCode?: string; version: number | null };

/**
 * One atomic write, described as data. The adapter turns it into a TransactWriteItems whose
 * conditions make DynamoDB refuse it when the store no longer matches what it was planned on.
 */
export type Plan = {
  outcome: Outcome;
  /** Claim the (transaction, event) business key so a second configuration's copy has no effect. */
  claimBusinessKey: boolean;
  expectTx?: { absent: true } | { absent: false; status: TxStatus; targetsKey: string; email: string };
  expectMappings?: MappingExpectation[];
  writeTx?: TransactionState;
  /** Set this transaction's status on the enrollment of each target. */
  enrollments?: { email: string; productId: string; transaction: string; status: TxStatus; targets: Target[] };
  /** Write the subscription record, conditioned on the version it was planned on (0 = absent). */
  writeSubscription?: { record: SubscriptionRecord; expectedVersion: number };
  /** Mirror the subscription's state on the enrollment of each target. */
  subscriptionEnrollments?: { email: string; productId: string; subscriberCode: string; mirrors: { target: Target; mirror: SubscriptionMirror }[] };
  /** Keep the event until its product is mapped. */
  park?: boolean;
};

/** What is known before planning: `undefined` = not known yet, `null` = known to be absent. */
export type Knowledge = {
  tx?: TransactionState | null;
  subscription?: SubscriptionRecord | null;
  mappings?: ProductMappings;
};

/** The mapping items an event's targets depend on, and whether each exists. */
export function mappingExpectations(productId: string, offerCode: string | undefined, mappings: ProductMappings): MappingExpectation[] {
  const expectations: MappingExpectation[] = [];
  if (offerCode !== undefined) {
    const offer = mappings.offers.find((m) => m.offerCode === offerCode);
    expectations.push({ productId, offerCode, version: offer?.version ?? null });
    if (offer) return expectations;
  }
  expectations.push({ productId, version: mappings.product?.version ?? null });
  return expectations;
}

export type EventKind = 'test' | 'subscription' | 'transaction' | 'record';

export function classifyEvent(event: HotmartEvent): EventKind {
  if (event.test) return 'test';
  if (subscriptionFact(event)) return 'subscription';
  if (event.transaction !== undefined && TRANSACTION_EVENTS[event.event] !== undefined) return 'transaction';
  return 'record';
}

const NO_MAPPINGS: ProductMappings = { product: null, offers: [] };

/**
 * When a transaction's state is not known, guess the likeliest one so that the common case takes
 * a single write: approvals and refused payments are usually a transaction's first event; the
 * others usually follow an approval granted through today's mapping. A wrong guess only costs a
 * retry: the write's condition fails and returns the real state.
 */
function predictTransaction(event: HotmartEvent, incoming: TxStatus, mapping: Mapping | null): TransactionState | null {
  if (incoming === 'APPROVED' || incoming === 'CANCELED' || mapping === null) return null;
  return { transaction: event.transaction!, status: 'APPROVED', targets: mapping.targets, email: event.buyerEmail!, productId: event.productId! };
}

const expectationOf = (tx: TransactionState) => ({ absent: false as const, status: tx.status, targetsKey: targetsKey(tx.targets), email: tx.email });

/** What a dispute under `onDispute: keep` found, said as it is: there may have been no access to keep. */
function keptDisputeDetail(transaction: string, current: TransactionState | null): string {
  const recorded = `dispute of transaction ${transaction} recorded (policy onDispute: keep)`;
  if (current === null) return `${recorded}; no approval of it was received, so it gave no access to keep`;
  if (isPaid(current.status)) return `${recorded}; ${current.targets.length > 0 ? 'access kept' : 'it granted nothing'}`;
  return `${recorded}; it is already ${current.status}: no change`;
}

/** What moving a transaction from one status to a stronger one did to the access it gave. */
function transitionEffect(from: TxStatus, to: TxStatus): string {
  if (isPaid(to)) return from === 'DISPUTE' ? 'access granted: the dispute is over' : 'access kept';
  if (to === 'DISPUTE') return 'access suspended (policy onDispute: suspend)';
  if (from === 'DISPUTE') return 'access, suspended by the dispute, removed';
  return isPaid(from) ? 'access from this transaction removed' : `it gave no access (it was already ${from})`;
}

function planTransaction(event: HotmartEvent, knowledge: Knowledge, claimBusinessKey: boolean): Plan {
  const transaction = event.transaction!;
  const mappings = knowledge.mappings ?? NO_MAPPINGS;
  const mapping = resolveMapping(mappings, event.offerCode);
  const policy = mapping?.policy ?? DEFAULT_POLICY;
  const incoming = TRANSACTION_EVENTS[event.event]!;
  const current = knowledge.tx !== undefined ? knowledge.tx : predictTransaction(event, incoming, mapping);
  if (incoming === 'DISPUTE' && policy.onDispute === 'keep') {
    // Nothing is written — the approval and refund decide access, in any arrival order — but the
    // plan is checked against the transaction as stored, so the detail says what the dispute found.
    return {
      outcome: { status: 'processed', detail: keptDisputeDetail(transaction, current) },
      claimBusinessKey,
      expectTx: current === null ? { absent: true } : expectationOf(current),
    };
  }

  if (current === null) {
    const expectMappings = mappingExpectations(event.productId!, event.offerCode, mappings);
    if (!isCaptured(incoming)) {
      // A transaction that ends before its approval arrived (or without one: a refused card) is
      // recorded on the enrollments it would have granted, revoked — as in-order delivery shows
      // it — so that its late approval, if any, finds it final.
      const targets = mapping?.targets ?? [];
      const ended: TransactionState = { transaction, status: incoming, targets, email: event.buyerEmail!, productId: event.productId! };
      return {
        outcome: {
          status: 'processed',
          detail: `no approval of transaction ${transaction} was received: recorded as ${incoming}, with no access, so a later approval will not grant`,
          effects: [{ transaction, from: null, to: incoming, targets }],
        },
        claimBusinessKey,
        expectTx: { absent: true },
        expectMappings,
        writeTx: ended,
        ...(targets.length > 0 ? { enrollments: ended } : {}),
      };
    }
    if (mapping === null) {
      return {
        outcome: { status: 'unmapped', detail: `product ${event.productId}${event.offerCode ? ` (offer ${event.offerCode})` : ''} has no mapping: the event waits and is applied when the mapping is created` },
        claimBusinessKey,
        expectTx: { absent: true },
        expectMappings,
        park: true,
      };
    }
    const granted: TransactionState = { transaction, status: incoming, targets: mapping.targets, email: event.buyerEmail!, productId: event.productId! };
    return {
      outcome: {
        status: 'processed',
        detail: isPaid(incoming)
          ? `transaction ${transaction} ${incoming}: access granted`
          : `no approval of transaction ${transaction} was received: recorded as ${incoming}, suspended (policy onDispute: suspend) until COMPLETE grants or a refund revokes`,
        effects: [{ transaction, from: null, to: incoming, targets: mapping.targets }],
      },
      claimBusinessKey,
      expectTx: { absent: true },
      expectMappings,
      writeTx: granted,
      enrollments: granted,
    };
  }

  const expectTx = expectationOf(current);
  const next = nextTxStatus(current.status, incoming);
  if (next === current.status) {
    return { outcome: { status: 'processed', detail: `transaction ${transaction} is already ${current.status}: no change` }, claimBusinessKey, expectTx };
  }
  const updated: TransactionState = { ...current, status: next };
  return {
    outcome: {
      status: 'processed',
      detail: `transaction ${transaction} ${current.status} → ${next}: ${current.targets.length > 0 ? transitionEffect(current.status, next) : 'it granted nothing'}`,
      effects: [{ transaction, from: current.status, to: next, targets: current.targets }],
    },
    claimBusinessKey,
    expectTx,
    writeTx: updated,
    ...(current.targets.length > 0 ? { enrollments: updated } : {}),
  };
}

function unionTargets(a: readonly Target[], b: readonly Target[]): Target[] {
  const byKey = new Map([...a, ...b].map((target) => [targetKey(target), target]));
  return [...byKey.values()];
}

/** A charge is approved, completed, refunded or refused once: any copy of those names the same transaction. */
const ONCE_PER_TRANSACTION: ReadonlySet<SubscriptionFact['kind']> = new Set(['charge', 'complete', 'refund', 'failed']);

/** Equal as data, whatever the order of object keys. */
function sameContent(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => [k, canonical(v)]))
        : value;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Same business event: what a second webhook configuration, or the v1 twin, sends under another id. */
function sameFact(a: SubscriptionFact, b: SubscriptionFact): boolean {
  if (ONCE_PER_TRANSACTION.has(a.kind) && a.transaction !== undefined) {
    return a.kind === b.kind && a.transaction === b.transaction && a.chargeStatus === b.chargeStatus;
  }
  const { eventId: _a, ...left } = a;
  const { eventId: _b, ...right } = b;
  return JSON.stringify(left, Object.keys(left).sort()) === JSON.stringify(right, Object.keys(right).sort());
}

/**
 * Subscription events are deduplicated as facts, not by (transaction, event): a charge's approval,
 * completion or refund is one fact however many copies arrive — the earliest time and every field
 * any copy carried (a v1 twin has no next-charge date) — so the fold does not depend on which copy
 * came first; disputes, delays and subscription events are compared by content, so two disputes
 * of one charge at different times are two facts, folded in time order.
 */
function planSubscription(event: HotmartEvent, knowledge: Knowledge): Plan {
  const subscriberCode = event.subscriberCode!;
  const received = subscriptionFact(event)!;
  const existing = knowledge.subscription ?? null;
  const claimBusinessKey = false;
  const copyOf = existing?.facts.find((f) => f.eventId !== received.eventId && sameFact(f, received));
  const fact: SubscriptionFact = copyOf ? { ...received, ...copyOf, at: Math.min(copyOf.at, received.at) } : received;
  const duplicate = copyOf
    ? { status: 'duplicate' as const, detail: `${event.event} of subscription ${subscriberCode} was already received as event ${copyOf.eventId}`, duplicateOf: copyOf.eventId }
    : undefined;
  // Compared whatever the key order: the stored fact comes back from DynamoDB in its own order.
  if (copyOf && sameContent(fact, copyOf)) return { outcome: duplicate!, claimBusinessKey };
  const facts = [...(existing?.facts ?? []).filter((f) => f.eventId !== fact.eventId), fact];
  const mappings = knowledge.mappings ?? NO_MAPPINGS;
  const offer = currentOffer(facts);
  const mapping = resolveMapping(mappings, offer);
  const expectMappings = event.productId ? mappingExpectations(event.productId, offer, mappings) : [];
  const targets = mapping?.targets ?? existing?.targets ?? [];
  const hasCharge = facts.some((f) => f.kind === 'charge');

  if (targets.length === 0 && fact.kind === 'charge') {
    return {
      outcome: { status: 'unmapped', detail: `product ${event.productId}${offer ? ` (offer ${offer})` : ''} has no mapping: the charge waits and is applied when the mapping is created` },
      claimBusinessKey,
      expectMappings,
      park: true,
    };
  }

  const policy = mapping?.policy ?? existing?.policy ?? DEFAULT_POLICY;
  const state = foldSubscription(facts, policy);
  const email = existing?.email ?? event.buyerEmail;
  const productId = existing?.productId ?? event.productId;
  // Every plan the subscription was ever on has enrollments: those not in force show `switched`,
  // whether the switch arrived before or after the charges it follows.
  const history = offersInForce(facts).flatMap((o) => resolveMapping(mappings, o)?.targets ?? []);
  const mirrorTargets = hasCharge && email ? unionTargets(unionTargets(targets, existing?.grantedTargets ?? []), history) : [];
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
  const switched = mirrorTargets.filter((t) => !targets.some((c) => targetKey(c) === targetKey(t)));
  const detail =
    mirrorTargets.length === 0
      ? `subscription ${subscriberCode} ${fact.kind} recorded (${state.status}); no enrollment yet: its first charge has not been applied`
      : `subscription ${subscriberCode} ${fact.kind}: ${before ?? 'new'} → ${state.status}` +
        `${accessPhrase(state)}${switched.length ? `; ${switched.length} target(s) switched away` : ''}`;
  // A copy that adds a detail (a v1 twin's missing next-charge date, an earlier time) is kept in
  // the record, but it writes to the enrollments only if it changes what they show: no second effect.
  const unchanged = duplicate !== undefined && existing !== null && sameContent(foldSubscription(existing.facts, policy), state);
  return {
    outcome: {
      ...(duplicate ?? { status: 'processed', detail }),
      effects: mirrorTargets.length ? [{ subscriberCode, ...(event.transaction ? { transaction: event.transaction } : {}), from: before, to: state.status, targets: mirrorTargets }] : [],
    },
    claimBusinessKey,
    expectMappings,
    writeSubscription: { record, expectedVersion: existing?.version ?? 0 },
    ...(mirrorTargets.length && email && productId && !unchanged
      ? { subscriptionEnrollments: { email, productId, subscriberCode, mirrors: mirrorTargets.map((target) => ({ target, mirror: mirrorFor(target, targets, state) })) } }
      : {}),
  };
}

/** A suspended or revoked subscription gives no access, whatever date its paid period ends. */
function accessPhrase(state: SubscriptionState): string {
  if (state.status === 'suspended') return ', no access while suspended';
  if ((state.status === 'active' || state.status === 'cancelled') && state.accessUntil) return `, access until ${new Date(state.accessUntil).toISOString()}`;
  return '';
}

export function planEvent(event: HotmartEvent, knowledge: Knowledge): Plan {
  const claimBusinessKey = event.transaction !== undefined && !event.test;
  switch (classifyEvent(event)) {
    case 'test':
      return { outcome: { status: 'test', detail: 'Hotmart panel test delivery (product id 0): recorded, no enrollment change' }, claimBusinessKey: false };
    case 'subscription':
      return planSubscription(event, knowledge);
    case 'transaction':
      return planTransaction(event, knowledge, claimBusinessKey);
    case 'record': {
      const known = (KNOWN_EVENTS as readonly string[]).includes(event.event) && !IRRELEVANT_EVENTS.has(event.event);
      return {
        outcome: known
          ? { status: 'processed', detail: `${event.event} recorded; it changes no access` }
          : { status: 'ignored', detail: `${event.event} is not an event this service acts on; recorded` },
        claimBusinessKey,
      };
    }
  }
}

/** An enrollment's status and access, derived when read from what lies behind it. */
export function enrollmentAccess(
  transactions: readonly { status: TxStatus }[],
  subscriptions: readonly SubscriptionMirror[],
  now: number,
): { status: EnrollmentStatus; hasAccess: boolean; subscription?: SubscriptionMirror } {
  const oneTimePaid = transactions.some((t) => isPaid(t.status));
  const withAccess = subscriptions.find((s) => subscriptionHasAccess(s, now));
  // Show the subscription that gives access, else the one most likely to: the latest paid period.
  const shown = withAccess ?? [...subscriptions].sort((a, b) => (b.accessUntil ?? 0) - (a.accessUntil ?? 0))[0];
  if (oneTimePaid) return { status: 'active', hasAccess: true, ...(shown ? { subscription: shown } : {}) };
  if (shown) return { status: shown.status, hasAccess: withAccess !== undefined, subscription: shown };
  return { status: transactions.some((t) => t.status === 'DISPUTE') ? 'suspended' : 'revoked', hasAccess: false };
}

export function needsMappings(event: HotmartEvent): boolean {
  const kind = classifyEvent(event);
  return (kind === 'transaction' || kind === 'subscription') && event.productId !== undefined;
}
