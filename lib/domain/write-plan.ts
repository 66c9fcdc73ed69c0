import type { Policy, ProductMappings, Target } from './mapping.ts';
import type { SubscriptionFact, SubscriptionMirror, SubscriptionStatus } from './subscription-rules.ts';
import type { TxStatus } from './transaction-status.ts';

/**
 * The write-intent types: what the store knows before planning, and the one atomic write a plan
 * describes as data. The rules (transaction-rules.ts, subscription-plan.ts) produce a Plan; the
 * adapter turns it into a TransactWriteItems whose conditions make DynamoDB refuse it when the
 * store no longer matches what it was planned on.
 */

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

/** A one-time transaction moved along the lattice; `from` null when it was not known before. */
export type TransactionEffect = { transaction: string; from: TxStatus | null; to: TxStatus; targets: Target[] };

/** A subscription's status changed (or was confirmed) on its enrollments; `from` null for a new one. */
export type SubscriptionEffect = { subscriberCode: string; transaction?: string; from: SubscriptionStatus | null; to: SubscriptionStatus; targets: Target[] };

export type Effect = TransactionEffect | SubscriptionEffect;

export type Outcome = {
  status: AnswerStatus;
  detail: string;
  effects?: Effect[];
  duplicateOf?: string;
};

/** A mapping item the write depends on: its version, or null for "must not exist". */
export type MappingExpectation = { productId: string; offerCode?: string; version: number | null };

/** One atomic write, described as data. */
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

export const NO_MAPPINGS: ProductMappings = { product: null, offers: [] };

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
