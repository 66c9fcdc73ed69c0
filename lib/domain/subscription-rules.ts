import type { HotmartEvent } from './hotmart/event.ts';
import type { FactKind } from './hotmart/vocabulary.ts';
import { factOf } from './hotmart/vocabulary.ts';
import type { Policy, Target } from './mapping.ts';
import type { TxStatus } from './transaction-status.ts';
import { nextTxStatus } from './transaction-status.ts';

/**
 * The subscription lifecycle, in one place (README: "Subscriptions").
 *
 * A subscription's state is a fold of every event Hotmart sent for its subscriber code, in
 * `creation_date` order. The service keeps the events (as facts) and folds them again on each
 * arrival, so the state is the same whatever order, and however often, they were delivered: an
 * older event never overrides a newer one, because it is folded in before it.
 */

export type SubscriptionStatus = 'pending' | 'active' | 'suspended' | 'cancelled' | 'revoked';
export type { FactKind };

/** One subscription event, reduced to what the lifecycle needs. */
export type SubscriptionFact = {
  eventId: string;
  kind: FactKind;
  at: number;
  transaction?: string;
  /** A charge is a transaction: its status moves along the one lattice (transaction-status.ts). */
  chargeStatus?: TxStatus;
  dateNextCharge?: number;
  cancellationDate?: number;
  offerCode?: string;
  /** SWITCH_PLAN: the offer left behind. */
  previousOfferCode?: string;
  planId?: string;
  planName?: string;
};

/** The fact a subscription event contributes; undefined when it has no bearing on access. */
export function subscriptionFact(event: HotmartEvent): SubscriptionFact | undefined {
  const known = factOf(event.event);
  if (!known || event.subscriberCode === undefined) return undefined;
  const fact: SubscriptionFact = {
    eventId: event.id,
    kind: known.kind,
    at: event.creationDate,
    transaction: event.transaction,
    chargeStatus: known.chargeStatus,
    dateNextCharge: event.dateNextCharge,
    cancellationDate: event.cancellationDate,
    offerCode: event.offerCode,
    previousOfferCode: event.previousOfferCode,
    planId: event.planId,
    planName: event.planName,
  };
  return Object.fromEntries(Object.entries(fact).filter(([, v]) => v !== undefined)) as SubscriptionFact;
}

/** Same-millisecond events fold in lifecycle order, then by id: a total, deterministic order. */
const KIND_ORDER: Readonly<Record<FactKind, number>> = {
  charge: 0,
  switch: 1,
  chargeDate: 2,
  delayed: 3,
  dispute: 4,
  complete: 5,
  failed: 6,
  cancel: 7,
  refund: 8,
};

export function sortFacts(facts: readonly SubscriptionFact[]): SubscriptionFact[] {
  return [...facts].sort((a, b) => a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.eventId.localeCompare(b.eventId));
}

export type SubscriptionState = {
  status: SubscriptionStatus;
  /** Access ends at this instant (epoch ms); null when no date is known yet. */
  accessUntil: number | null;
  offerCode?: string;
  planId?: string;
  planName?: string;
  charges: { transaction: string; status: TxStatus }[];
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** The offer and plan in force: the last charge or plan switch that named one. */
export function currentOffer(facts: readonly SubscriptionFact[]): string | undefined {
  return sortFacts(facts).reduce<string | undefined>((offer, fact) => ((fact.kind === 'charge' || fact.kind === 'switch') && fact.offerCode) || offer, undefined);
}

/** Every offer the subscription was ever on, in any order of arrival. */
export function offersInForce(facts: readonly SubscriptionFact[]): string[] {
  const offers = facts.flatMap((fact) =>
    fact.kind === 'charge' || fact.kind === 'switch' ? [fact.offerCode, fact.previousOfferCode].filter((o): o is string => o !== undefined) : [],
  );
  return [...new Set(offers)];
}

export function foldSubscription(facts: readonly SubscriptionFact[], policy: Policy): SubscriptionState {
  const grace = policy.graceDays * DAY_MS;
  const state: SubscriptionState = { status: 'pending', accessUntil: null, charges: [] };
  const charges = new Map<string, TxStatus>();
  let suspendedFor: 'delayed' | 'dispute' | undefined;

  for (const fact of sortFacts(facts)) {
    if (fact.transaction && fact.chargeStatus) {
      charges.set(fact.transaction, nextTxStatus(charges.get(fact.transaction), fact.chargeStatus));
    }
    if (fact.kind === 'charge' || fact.kind === 'switch') {
      if (fact.offerCode) state.offerCode = fact.offerCode;
      if (fact.planId) state.planId = fact.planId;
      if (fact.planName) state.planName = fact.planName;
    }
    if (state.status === 'revoked') continue; // a refunded or charged-back subscription stays revoked
    const live = state.status === 'active' || state.status === 'suspended';
    switch (fact.kind) {
      case 'charge':
        state.status = 'active';
        suspendedFor = undefined;
        if (fact.dateNextCharge !== undefined) state.accessUntil = fact.dateNextCharge + grace;
        break;
      case 'delayed':
        if (state.status === 'active' && policy.onDelayed === 'suspend') {
          state.status = 'suspended';
          suspendedFor = 'delayed';
        }
        break;
      case 'dispute':
        if (state.status === 'active' && policy.onDispute === 'suspend') {
          state.status = 'suspended';
          suspendedFor = 'dispute';
        }
        break;
      case 'complete':
        // A completed charge only ends a dispute; it never revives a cancelled or overdue subscription.
        if (state.status === 'suspended' && suspendedFor === 'dispute') {
          state.status = 'active';
          suspendedFor = undefined;
        }
        break;
      case 'refund':
        state.status = 'revoked';
        state.accessUntil = null;
        break;
      case 'cancel':
        if (live || state.status === 'pending') {
          state.status = 'cancelled';
          suspendedFor = undefined;
          state.accessUntil =
            policy.onSubscriptionCancel === 'immediate' ? (fact.cancellationDate ?? fact.at) : (fact.dateNextCharge ?? state.accessUntil);
        }
        break;
      case 'chargeDate':
        if (live && fact.dateNextCharge !== undefined) state.accessUntil = fact.dateNextCharge + grace;
        break;
      case 'failed':
      case 'switch':
        break;
    }
  }
  state.charges = [...charges].map(([transaction, status]) => ({ transaction, status })).sort((a, b) => a.transaction.localeCompare(b.transaction));
  return state;
}

/** What an enrollment holds of one subscription; `switched` marks a plan's targets left behind. */
export type SubscriptionMirror = Omit<SubscriptionState, 'status'> & {
  status: Exclude<SubscriptionStatus, 'pending'> | 'switched';
};

export function mirrorFor(target: Target, current: readonly Target[], state: SubscriptionState): SubscriptionMirror {
  const kept = current.some((t) => t.type === target.type && t.id === target.id);
  const status = !kept ? 'switched' : state.status === 'pending' ? 'suspended' : state.status;
  return { ...state, status };
}

/** Access at `now`: active or cancelled subscriptions until `accessUntil`; never otherwise. */
export function subscriptionHasAccess(mirror: Pick<SubscriptionMirror, 'status' | 'accessUntil'>, now: number): boolean {
  if (mirror.status !== 'active' && mirror.status !== 'cancelled') return false;
  return mirror.accessUntil === null || now < mirror.accessUntil;
}
