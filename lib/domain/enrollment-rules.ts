import type { HotmartEvent } from './hotmart-event.ts';
import { KNOWN_EVENTS } from './hotmart-event.ts';
import type { Mapping, Target } from './mapping.ts';
import { targetsKey } from './mapping.ts';

/**
 * The enrollment rules, in one place (README: "Rules").
 *
 * Access comes from purchase transactions. A transaction's status only moves forward —
 * APPROVED → COMPLETE, and CANCELED / REFUNDED / CHARGEBACK are final: no later event makes the
 * transaction paid again. A final status only yields to a stronger final (a chargeback after a
 * refund is recorded as such), so a transaction ends in the same status whatever the arrival
 * order. An enrollment is active while at least one transaction behind it is paid; everything
 * else Hotmart sends is recorded and changes no access (yet).
 */

export type TxStatus = 'APPROVED' | 'COMPLETE' | 'REFUNDED' | 'CHARGEBACK' | 'CANCELED';

/** Events that move a transaction, and the status each moves it to. */
export const TRANSACTION_EVENTS: Readonly<Record<string, TxStatus>> = {
  PURCHASE_APPROVED: 'APPROVED',
  PURCHASE_COMPLETE: 'COMPLETE',
  PURCHASE_REFUNDED: 'REFUNDED',
  PURCHASE_CHARGEBACK: 'CHARGEBACK',
  PURCHASE_CANCELED: 'CANCELED',
};

/** Known events that carry nothing for a course platform: acknowledged as `ignored`. */
const IRRELEVANT_EVENTS: ReadonlySet<string> = new Set(['ORDER_FULFILLMENT']);

const RANK: Readonly<Record<TxStatus, number>> = {
  APPROVED: 1,
  COMPLETE: 2,
  CANCELED: 3,
  REFUNDED: 4,
  CHARGEBACK: 5,
};

export const isPaid = (status: TxStatus): boolean => status === 'APPROVED' || status === 'COMPLETE';

/** A transaction's next status: the stronger of the two, so it never moves back. */
export function nextTxStatus(current: TxStatus | undefined, incoming: TxStatus): TxStatus {
  if (current === undefined) return incoming;
  return RANK[incoming] > RANK[current] ? incoming : current;
}

export type EnrollmentStatus = 'active' | 'revoked';

export function enrollmentStatus(transactionStatuses: readonly TxStatus[]): EnrollmentStatus {
  return transactionStatuses.some(isPaid) ? 'active' : 'revoked';
}

/** What the store knows of one transaction: its status and the enrollments it granted. */
export type TransactionState = {
  transaction: string;
  status: TxStatus;
  /** Targets granted by this transaction; empty when it never was paid. */
  targets: Target[];
  email: string;
  productId: string;
};

export type AnswerStatus = 'processed' | 'duplicate' | 'ignored' | 'unmapped' | 'test';

export type Effect = {
  transaction: string;
  from: TxStatus | null;
  to: TxStatus;
  targets: Target[];
};

export type Outcome = {
  status: AnswerStatus;
  detail: string;
  effects?: Effect[];
  duplicateOf?: string;
};

/**
 * One atomic write, described as data. The adapter turns it into a TransactWriteItems whose
 * conditions make DynamoDB refuse it when the store no longer matches what it was planned on.
 */
export type Plan = {
  outcome: Outcome;
  /** Claim the (transaction, event) business key so a second configuration's copy has no effect. */
  claimBusinessKey: boolean;
  expectTx?: { absent: true } | { absent: false; status: TxStatus; targetsKey: string; email: string };
  expectMapping?: { absent: true } | { absent: false; version: number };
  writeTx?: TransactionState;
  /** Set this transaction's status on the enrollment of each target. */
  enrollments?: { email: string; productId: string; transaction: string; status: TxStatus; targets: Target[] };
  /** Keep the event until its product is mapped. */
  park?: boolean;
};

/** What is known before planning: `undefined` = not known yet, `null` = known to be absent. */
export type Knowledge = {
  tx?: TransactionState | null;
  mapping?: Mapping | null;
};

export function needsMapping(event: HotmartEvent): boolean {
  return !event.test && event.transaction !== undefined && TRANSACTION_EVENTS[event.event] !== undefined;
}

/**
 * When the transaction's state is not known, guess the likeliest one so that the common case
 * takes a single write: approvals and refused payments are usually a transaction's first event;
 * COMPLETE, REFUNDED and CHARGEBACK usually follow an approval granted through today's mapping.
 * A wrong guess only costs a retry: the write's condition fails and returns the real state.
 */
function predictTransaction(event: HotmartEvent, incoming: TxStatus, mapping: Mapping | null): TransactionState | null {
  if (incoming === 'APPROVED' || incoming === 'CANCELED' || mapping === null) return null;
  return {
    transaction: event.transaction!,
    status: 'APPROVED',
    targets: mapping.targets,
    email: event.buyerEmail!,
    productId: event.productId!,
  };
}

export function planEvent(event: HotmartEvent, knowledge: Knowledge): Plan {
  if (event.test) {
    return { outcome: { status: 'test', detail: 'Hotmart panel test delivery (product id 0): recorded, no enrollment change' }, claimBusinessKey: false };
  }
  const incoming = TRANSACTION_EVENTS[event.event];
  const claimBusinessKey = event.transaction !== undefined;
  if (incoming === undefined || event.transaction === undefined) {
    const known = (KNOWN_EVENTS as readonly string[]).includes(event.event) && !IRRELEVANT_EVENTS.has(event.event);
    return {
      outcome: known
        ? { status: 'processed', detail: `${event.event} recorded; it changes no access` }
        : { status: 'ignored', detail: `${event.event} is not an event this service acts on; recorded` },
      claimBusinessKey,
    };
  }

  const transaction = event.transaction;
  const mapping = knowledge.mapping ?? null;
  const current = knowledge.tx !== undefined ? knowledge.tx : predictTransaction(event, incoming, mapping);

  if (current === null) {
    if (!isPaid(incoming)) {
      return {
        outcome: {
          status: 'processed',
          detail: `transaction ${transaction} was not known: recorded as ${incoming}, so a later approval will not grant`,
          effects: [{ transaction, from: null, to: incoming, targets: [] }],
        },
        claimBusinessKey,
        expectTx: { absent: true },
        writeTx: { transaction, status: incoming, targets: [], email: event.buyerEmail!, productId: event.productId! },
      };
    }
    if (mapping === null) {
      return {
        outcome: {
          status: 'unmapped',
          detail: `product ${event.productId} has no mapping: the event waits and is applied when the mapping is created`,
        },
        claimBusinessKey,
        expectTx: { absent: true },
        expectMapping: { absent: true },
        park: true,
      };
    }
    const granted: TransactionState = {
      transaction,
      status: incoming,
      targets: mapping.targets,
      email: event.buyerEmail!,
      productId: event.productId!,
    };
    return {
      outcome: {
        status: 'processed',
        detail: `transaction ${transaction} ${incoming}: access granted`,
        effects: [{ transaction, from: null, to: incoming, targets: mapping.targets }],
      },
      claimBusinessKey,
      expectTx: { absent: true },
      expectMapping: { absent: false, version: mapping.version },
      writeTx: granted,
      enrollments: { ...granted, targets: mapping.targets },
    };
  }

  const expectTx = { absent: false as const, status: current.status, targetsKey: targetsKey(current.targets), email: current.email };
  const next = nextTxStatus(current.status, incoming);
  if (next === current.status) {
    return {
      outcome: { status: 'processed', detail: `transaction ${transaction} is already ${current.status}: no change` },
      claimBusinessKey,
      expectTx,
    };
  }
  const updated: TransactionState = { ...current, status: next };
  const verb = isPaid(next) ? 'access kept' : 'access from this transaction removed';
  return {
    outcome: {
      status: 'processed',
      detail: `transaction ${transaction} ${current.status} → ${next}: ${current.targets.length > 0 ? verb : 'it granted nothing'}`,
      effects: [{ transaction, from: current.status, to: next, targets: current.targets }],
    },
    claimBusinessKey,
    expectTx,
    writeTx: updated,
    ...(current.targets.length > 0 ? { enrollments: updated } : {}),
  };
}
