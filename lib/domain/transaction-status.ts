/**
 * The status lattice of a Hotmart transaction, one-time purchase or subscription charge alike
 * (docs/hotmart.md, "Statuses").
 *
 * A transaction's status only moves forward — APPROVED → DISPUTE → COMPLETE, and CANCELED /
 * REFUNDED / CHARGEBACK are final: no later event makes the transaction paid again. A final
 * status only yields to a stronger final, so a transaction ends in the same status whatever the
 * arrival order.
 */

export const TX_STATUSES = ['APPROVED', 'DISPUTE', 'COMPLETE', 'CANCELED', 'REFUNDED', 'CHARGEBACK'] as const;

export type TxStatus = (typeof TX_STATUSES)[number];

/** The status's place in the lattice: a stronger status is further on. */
const RANK: Readonly<Record<TxStatus, number>> = Object.fromEntries(TX_STATUSES.map((status, i) => [status, i + 1])) as Record<TxStatus, number>;

export const isPaid = (status: TxStatus): boolean => status === 'APPROVED' || status === 'COMPLETE';

/** Money was captured: the transaction has targets, even while a dispute suspends them. */
export const isCaptured = (status: TxStatus): boolean => isPaid(status) || status === 'DISPUTE';

/** A transaction's next status: the stronger of the two, so it never moves back. */
export function nextTxStatus(current: TxStatus | undefined, incoming: TxStatus): TxStatus {
  if (current === undefined) return incoming;
  return RANK[incoming] > RANK[current] ? incoming : current;
}
