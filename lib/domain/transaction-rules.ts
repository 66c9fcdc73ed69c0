import type { HotmartEvent } from './hotmart/event.ts';
import { transactionStatusOf } from './hotmart/vocabulary.ts';
import type { Mapping } from './mapping.ts';
import { DEFAULT_POLICY, resolveMapping, targetsKey } from './mapping.ts';
import type { TxStatus } from './transaction-status.ts';
import { isCaptured, isPaid, nextTxStatus } from './transaction-status.ts';
import type { Knowledge, Plan, TransactionState } from './write-plan.ts';
import { NO_MAPPINGS, mappingExpectations } from './write-plan.ts';

/**
 * The enrollment rules for one-time purchases (README: "Rules"): each event moves its
 * transaction along the lattice (transaction-status.ts), and the plan says what that does to the
 * access the transaction gave. An enrollment is active while at least one transaction behind it
 * is paid (access.ts). A dispute (PURCHASE_PROTEST) suspends the transaction only under the
 * `onDispute: suspend` policy; COMPLETE restores it, a refund ends it. Subscription charges follow
 * the subscription lifecycle instead (subscription-plan.ts).
 */

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

export function planTransaction(event: HotmartEvent, knowledge: Knowledge, claimBusinessKey: boolean): Plan {
  const transaction = event.transaction!;
  const mappings = knowledge.mappings ?? NO_MAPPINGS;
  const mapping = resolveMapping(mappings, event.offerCode);
  const policy = mapping?.policy ?? DEFAULT_POLICY;
  const incoming = transactionStatusOf(event.event)!;
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
