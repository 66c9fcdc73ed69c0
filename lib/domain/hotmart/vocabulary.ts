import type { TxStatus } from '../transaction-status.ts';

/**
 * Hotmart's event vocabulary, one row per event (docs/hotmart.md, "Events" and "Statuses"):
 * the shape of its webhook payload, what it does to a one-time transaction and to a
 * subscription, and how the v1 postback and the REST API spell it. Every per-event table the
 * service uses is derived from this one, so adding or renaming an event is one row.
 */

/** The payload families of the v2 webhook: events of one family share one data schema. */
export type PayloadFamily = 'purchase' | 'cart' | 'cancellation' | 'switchPlan' | 'chargeDate' | 'club' | 'other';

/** What a subscription event contributes to the lifecycle fold (subscription-rules.ts). */
export type FactKind = 'charge' | 'complete' | 'dispute' | 'delayed' | 'refund' | 'failed' | 'cancel' | 'chargeDate' | 'switch';

export type EventRow = {
  family: PayloadFamily;
  /** The status it moves a one-time transaction to; null when it moves none. */
  transaction: TxStatus | null;
  /** The fact it is for a subscription (and the charge's status, if it names one); null when none. */
  fact: { kind: FactKind; chargeStatus?: TxStatus } | null;
  /** Its v1.0.0 postback `status` spellings (lower case). */
  v1: readonly string[];
  /** Its REST API sale status spellings (upper case). */
  api: readonly string[];
  /** False for an event that carries nothing for a course platform: answered `ignored`. */
  relevant: boolean;
};

const row = (family: PayloadFamily, rest: Partial<Omit<EventRow, 'family'>> = {}): EventRow => ({
  family,
  transaction: null,
  fact: null,
  v1: [],
  api: [],
  relevant: true,
  ...rest,
});

export const EVENTS = {
  PURCHASE_APPROVED: row('purchase', { transaction: 'APPROVED', fact: { kind: 'charge', chargeStatus: 'APPROVED' }, v1: ['approved'], api: ['APPROVED'] }),
  PURCHASE_COMPLETE: row('purchase', {
    transaction: 'COMPLETE',
    fact: { kind: 'complete', chargeStatus: 'COMPLETE' },
    v1: ['completed', 'complete'],
    api: ['COMPLETE', 'COMPLETED'],
  }),
  PURCHASE_CANCELED: row('purchase', {
    transaction: 'CANCELED',
    fact: { kind: 'failed', chargeStatus: 'CANCELED' },
    v1: ['canceled', 'cancelled'],
    api: ['CANCELLED', 'CANCELED'],
  }),
  PURCHASE_BILLET_PRINTED: row('purchase', { v1: ['billet_printed'], api: ['PRINTED_BILLET', 'BILLET_PRINTED'] }),
  PURCHASE_PROTEST: row('purchase', { transaction: 'DISPUTE', fact: { kind: 'dispute', chargeStatus: 'DISPUTE' }, v1: ['dispute'], api: ['DISPUTE', 'PROTESTED'] }),
  PURCHASE_REFUNDED: row('purchase', { transaction: 'REFUNDED', fact: { kind: 'refund', chargeStatus: 'REFUNDED' }, v1: ['refunded'], api: ['REFUNDED'] }),
  PURCHASE_CHARGEBACK: row('purchase', { transaction: 'CHARGEBACK', fact: { kind: 'refund', chargeStatus: 'CHARGEBACK' }, v1: ['chargeback'], api: ['CHARGEBACK'] }),
  PURCHASE_EXPIRED: row('purchase', { v1: ['expired'], api: ['EXPIRED'] }),
  PURCHASE_DELAYED: row('purchase', { fact: { kind: 'delayed' }, v1: ['delayed'] }),
  PURCHASE_OUT_OF_SHOPPING_CART: row('cart'),
  SUBSCRIPTION_CANCELLATION: row('cancellation', { fact: { kind: 'cancel' } }),
  SWITCH_PLAN: row('switchPlan', { fact: { kind: 'switch' } }),
  UPDATE_SUBSCRIPTION_CHARGE_DATE: row('chargeDate', { fact: { kind: 'chargeDate' } }),
  CLUB_FIRST_ACCESS: row('club'),
  CLUB_MODULE_COMPLETED: row('club'),
  ORDER_FULFILLMENT: row('other', { relevant: false }),
} as const satisfies Record<string, EventRow>;

export type KnownEvent = keyof typeof EVENTS;

const ROWS = Object.entries(EVENTS) as [KnownEvent, EventRow][];

export const KNOWN_EVENTS: readonly KnownEvent[] = ROWS.map(([event]) => event);

/** The row of an event name, or undefined for an event Hotmart may send that is not in the table. */
export const eventRow = (event: string): EventRow | undefined => own<EventRow>(EVENTS, event);

/** The payload family of an event name; `other` for an unknown one (read leniently). */
export const payloadFamily = (event: string): PayloadFamily => eventRow(event)?.family ?? 'other';

/** A table's entry for a key it holds itself (never one inherited, such as "constructor"). */
const own = <V>(table: Readonly<Record<string, V>>, key: string): V | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

const bySpelling = (spellings: (row: EventRow) => readonly string[]): Readonly<Record<string, KnownEvent>> =>
  Object.fromEntries(ROWS.flatMap(([event, r]) => spellings(r).map((spelling) => [spelling, event])));

/** v1.0.0 purchase postback `status` → the v2 event it stands for. */
export const V1_STATUS_EVENTS = bySpelling((r) => r.v1);

/** REST API sale status → the event its webhook would have been. */
export const API_STATUS_EVENTS = bySpelling((r) => r.api);

/** Events that move a one-time transaction, and the status each moves it to. */
export const TRANSACTION_EVENTS: Readonly<Record<string, TxStatus>> = Object.fromEntries(
  ROWS.flatMap(([event, r]) => (r.transaction === null ? [] : [[event, r.transaction]])),
);

/** Events that contribute a fact to a subscription, and which. */
export const FACT_KINDS: Readonly<Record<string, { kind: FactKind; chargeStatus?: TxStatus }>> = Object.fromEntries(
  ROWS.flatMap(([event, r]) => (r.fact === null ? [] : [[event, r.fact]])),
);

export const v1StatusEvent = (status: string): KnownEvent | undefined => own(V1_STATUS_EVENTS, status);
export const apiStatusEvent = (status: string): KnownEvent | undefined => own(API_STATUS_EVENTS, status);
export const transactionStatusOf = (event: string): TxStatus | undefined => own(TRANSACTION_EVENTS, event);
export const factOf = (event: string): { kind: FactKind; chargeStatus?: TxStatus } | undefined => own(FACT_KINDS, event);
