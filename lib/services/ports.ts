import type { ManualGrant } from '../domain/access.ts';
import type { AnswerStatus, MappingExpectation, Outcome, Plan, SubscriptionRecord, TransactionState } from '../domain/write-plan.ts';
import type { TxStatus } from '../domain/transaction-status.ts';
import type { HotmartEvent } from '../domain/hotmart/event.ts';
import type { Mapping, MappingInput, OffersOnlyProduct, ProductMappings, Target } from '../domain/mapping.ts';
import type { ReconciliationReport, ReconciliationRun, RunStatus, Window } from '../domain/reconciliation.ts';
import type { SubscriptionMirror } from '../domain/subscription-rules.ts';

/** The storage the use cases need; lib/adapters/dynamodb implements each. */

/** `new`: a delivery; `parked`: applying an event that waited for its mapping; `replay`: re-applying a stored event. */
export type CommitMode = 'new' | 'parked' | 'replay';

/**
 * Who applied an event, put on each enrollment it writes as `lastCause` (the feed's `cause.source`,
 * lib/domain/feed/event-type.ts): by default `webhook` for `new`, `mapping` for `parked`, `replay` for `replay`.
 */
export type CommitSource = 'webhook' | 'reconciliation' | 'replay' | 'mapping';

export type CommitResult =
  | { committed: true }
  | { committed: false; conflict: 'duplicate' | 'alreadyApplied' | 'contention' }
  | { committed: false; conflict: 'businessDuplicate'; duplicateOf: string }
  | {
      committed: false;
      conflict: 'stale';
      tx?: TransactionState | null;
      subscription?: SubscriptionRecord | null;
      /** Each mapping whose check failed, as it is now (null: absent). */
      mappings?: { expectation: MappingExpectation; mapping: Mapping | null }[];
    };

export type StoredEvent = HotmartEvent & {
  receivedAt: number;
  outcome: Outcome;
  parked?: boolean;
  appliedAt?: number;
  waitedForMapping?: boolean;
  replayedAt?: number;
  /** How the delivery that brought it was answered; absent when no delivery did (reconciliation, a quarantine replay). */
  arrival?: AnswerStatus | 'quarantined';
};

/** `position`: where the event sits in the product's waiting list (creation_date order); opaque to services. */
/** `arrived`: a delivery brought it (and was answered `unmapped`). */
export type ParkedEvent = { event: HotmartEvent; receivedAt: number; position: string; arrived?: boolean };
/** The commit answers a delivery: its item goes on the school's `arrivals` index, with this answer or the plan's. */
export type CommitArrival = { answered?: AnswerStatus | 'quarantined' };

export interface EventStore {
  /** Writes the event record and everything the plan changes, atomically, or nothing. */
  commit(event: HotmartEvent, plan: Plan, options: { receivedAt: number; mode: CommitMode; source?: CommitSource; arrival?: CommitArrival | undefined }): Promise<CommitResult>;
  /** Records a copy of an already-applied business event; a no-op if this id is stored. `arrivalAnswer`: a delivery brought it, so answered. */
  recordDuplicate(event: HotmartEvent, outcome: Outcome, receivedAt: number, arrivalAnswer?: string): Promise<void>;
  /** Counts a delivery that wrote nothing (a same-id repeat), with its answer, at `at` (one small write, sharded). */
  countRepeat(answer: string, at: number): Promise<void>;
  get(id: string): Promise<StoredEvent | undefined>;
  getSubscription(subscriberCode: string): Promise<SubscriptionRecord | null>;
  /**
   * Events waiting for a product's mapping, oldest `creation_date` first, one page at a time:
   * those after `after` (a position); `next` is where the following page starts, null at the end.
   */
  listParked(productId: string, page: { after?: string; limit: number }): Promise<{ items: ParkedEvent[]; next: string | null }>;
  /** How many events wait for the product's mapping (a count: no event is read). */
  countParked(productId: string): Promise<number>;
}

/** Where a background apply of a product's waiting events starts: after `after`, or from the oldest. */
export type ParkedJob = { productId: string; after?: string };

/** Hands a ParkedJob to a background worker (asynchronous: it returns once the job is accepted). */
export type ParkedJobLauncher = (job: ParkedJob) => Promise<void>;

/** The background worker's launcher: the job, in the scope of its school (the routes bind it to one). */
export type SchoolParkedJobLauncher = (job: ParkedJob & { scope: string }) => Promise<void>;

/** Hands a started reconciliation run to its runner (asynchronous: it returns once the invocation is accepted). */
export type RunLauncher = (run: { schoolId: string; runId: string }) => Promise<void>;

export type Page<T> = { items: T[]; nextCursor: string | null };

/** The event records of one transaction (by receipt) or of one buyer's e-mail, a page at a time. */
export interface EventReader {
  byTransaction(transaction: string, limit: number, cursor: string | undefined): Promise<Page<StoredEvent>>;
  byEmail(email: string, limit: number, cursor: string | undefined): Promise<Page<StoredEvent>>;
}

/** A product's own mapping (no offer code) or one of its offer overrides. */
export type MappingRef = { productId: string; offerCode?: string };

/**
 * RFC 9110 preconditions of a write, for the store's condition to decide (no read first).
 * `ifMatch`: it exists ('*') or its version is one of these (none: nothing can match: 412).
 * `ifNoneMatch`: it does not exist ('*'), or its version is none of these.
 */
export type Precondition = { ifMatch?: '*' | number[]; ifNoneMatch?: '*' | number[] };

export interface MappingStore {
  /** The product's mapping and all its offer overrides, read together (strongly consistent). */
  get(productId: string): Promise<ProductMappings>;
  /** Creates or replaces, under the preconditions (MAPPING.VERSION_MISMATCH when they fail). */
  put(ref: MappingRef, input: MappingInput, precondition?: Precondition): Promise<{ mapping: Mapping; created: boolean }>;
  delete(ref: MappingRef, precondition?: Precondition): Promise<boolean>;
  /** Products, page by page: each product's own mapping, or `targets: null` for one that has offer overrides only. */
  list(limit: number, cursor?: string): Promise<Page<Mapping | OffersOnlyProduct>>;
}

export type EnrollmentRecord = {
  email: string;
  target: Target;
  /** null for an enrollment only a manual grant made (no purchase behind it). */
  productId: string | null;
  transactions: { transaction: string; status: TxStatus }[];
  subscriptions: (SubscriptionMirror & { subscriberCode: string })[];
  /** An operator's manual grant (PUT …/students/{email}/enrollments/…), if any. */
  manual?: ManualGrant | null;
  createdAt: number;
  updatedAt: number;
  /** null for an enrollment no event has written (a manual grant only). */
  lastEventId: string | null;
};

/** Manual grants, written on the enrollment item (its `manual` attribute) and nothing else of it. */
export interface ManualGrantStore {
  /** Sets the grant (`by`: who granted, kept in the item, not shown); `created` false when it replaced one. The enrollment as it now is. */
  grant(email: string, target: Target, grant: ManualGrant, by: string, now: number): Promise<{ created: boolean; record: EnrollmentRecord }>;
  /** Removes the grant only (an enrollment nothing else made goes with it); false when there was none. */
  revoke(email: string, target: Target, now: number): Promise<boolean>;
}

export interface EnrollmentReader {
  byEmail(email: string): Promise<EnrollmentRecord[]>;
  /** The enrollments a subscription mirrors, found through its subscription record. */
  bySubscriber(subscriberCode: string): Promise<EnrollmentRecord[]>;
  byTarget(target: Target, limit: number, cursor?: string): Promise<Page<EnrollmentRecord>>;
}

export type QuarantineRecord = {
  id: string;
  reason: string;
  contentType: string;
  /** Redacted, and at most QUARANTINE_BODY_MAX_BYTES: a longer one is cut (`truncated`, `originalBytes`). */
  body: string;
  truncated?: true;
  /** UTF-8 bytes of the redacted body before it was cut. */
  originalBytes?: number;
  receivedAt: number;
  expiresAt: number;
};

export interface QuarantineStore {
  /** Keeps the record (on the school's `arrivals` index, answered `quarantined`); returns the receipt time of the record it replaced, if any. */
  put(record: QuarantineRecord): Promise<number | undefined>;
  get(id: string): Promise<QuarantineRecord | undefined>;
  delete(id: string): Promise<void>;
  list(limit: number, cursor?: string): Promise<Page<QuarantineRecord>>;
}

export type ErasureCounts = { enrollments: number; transactions: number; subscriptions: number; events: number; quarantined: number };

export interface ErasureStore {
  /** Records an erasure in progress under the e-mail's hash; an earlier unfinished one keeps its pseudonym, which is returned. */
  start(emailKey: string, pseudonym: string): Promise<string>;
  /** Replaces the (normalised) e-mail, and the buyer's name, by the pseudonym everywhere it is kept. Can be re-run. */
  erase(email: string, pseudonym: string): Promise<ErasureCounts>;
  /** Forgets the erasure in progress: nothing then links the e-mail to its pseudonym. */
  finish(emailKey: string): Promise<void>;
}

export interface ReconciliationStore {
  /** Records the run and takes the lease, unless another run holds it (then: that run). */
  start(run: ReconciliationRun): Promise<{ started: true } | { started: false; holder: ReconciliationRun | null }>;
  /**
   * The runner takes a started run for itself, once, and the lease restarts from now; false when
   * the run is claimed already, finished, or its lease has expired.
   */
  claim(id: string, executor: string, now: number, leaseUntil: number): Promise<boolean>;
  /**
   * Stores the outcome and report (by the executor that claimed the run; none for a run never
   * claimed), and releases the lease if this run still holds it. A run abandoned meanwhile keeps
   * that status, with the report and `lateFinish`.
   */
  finish(id: string, executor: string | undefined, status: Exclude<RunStatus, 'running' | 'abandoned'>, report: ReconciliationReport, finishedAt: number): Promise<void>;
  get(id: string): Promise<ReconciliationRun | undefined>;
  /** Newest first. */
  list(limit: number, cursor?: string): Promise<Page<ReconciliationRun>>;
}

/** Filters of Hotmart's GET /subscriptions (docs/hotmart.md, "REST API: subscriptions"). At most one of the three date windows. */
export type SubscriptionFilters = {
  /** Sent as a repeated `status` param (?status=ACTIVE&status=DELAYED); none means every status. */
  statuses?: readonly string[];
  productId?: string;
  subscriberEmail?: string;
  /** Stops paging (and any wait) when aborted: a run's deadline. */
  signal?: AbortSignal;
  /** accession_date / end_accession_date */
  accession?: Window;
  /** cancelation_date / end_cancelation_date (Hotmart's single "l") */
  cancelation?: Window;
  /** date_next_charge / end_date_next_charge */
  nextCharge?: Window;
};

/** What a reconciliation run reads from Hotmart; lib/adapters/hotmart/api-client.ts implements it. */
export interface HotmartSource {
  /** Sales in the window with one transaction status. */
  salesHistory(filters: Window & { status: string; productId?: string; signal?: AbortSignal }): AsyncIterable<Record<string, unknown>>;
  subscriptions(filters: SubscriptionFilters): AsyncIterable<Record<string, unknown>>;
}

/** A feed delivery for the queue: one group per enrollment keeps its events in order; `dedupId` is the event id (+ a replay nonce). */
export type DeliveryMessage = { groupId: string; dedupId: string; body: string };

/** The feed's delivery queue (SQS FIFO in AWS, LocalFifoQueue locally). */
export interface DeliveryQueue {
  send(messages: DeliveryMessage[]): Promise<void>;
  /** Hides a received message for `seconds` (its retry delay): its group waits behind it. */
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
}

export type * from './school-ports.ts';
