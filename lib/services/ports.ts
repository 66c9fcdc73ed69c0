import type { ManualGrant } from '../domain/access.ts';
import type { AnswerStatus, MappingExpectation, Outcome, Plan, SubscriptionRecord, TransactionState } from '../domain/write-plan.ts';
import type { TxStatus } from '../domain/transaction-status.ts';
import type { HotmartEvent } from '../domain/hotmart/event.ts';
import type { Mapping, MappingInput, OffersOnlyProduct, ProductMappings, Target } from '../domain/mapping.ts';
import type { ReconciliationReport, ReconciliationRun, RunStatus, Window } from '../domain/reconciliation.ts';
import type { SubscriptionMirror } from '../domain/subscription-rules.ts';
import type { School } from '../domain/school.ts';
import type { ArrivalTally, WaitingProduct } from '../domain/school-status.ts';

/** The storage the use cases need; lib/adapters/dynamodb implements each. */

/** `new`: a delivery; `parked`: applying an event that waited for its mapping; `replay`: re-applying a stored event. */
export type CommitMode = 'new' | 'parked' | 'replay';

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
  commit(event: HotmartEvent, plan: Plan, options: { receivedAt: number; mode: CommitMode; arrival?: CommitArrival | undefined }): Promise<CommitResult>;
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

/** The school registry (the one table read across schools). */
export interface SchoolStore {
  /** The school in any state (a deleted one is a tombstone until its erasure ends), strongly consistent. */
  get(schoolId: string): Promise<School | undefined>;
  /**
   * Creates the school (absent or deleted: a new incarnation, `created`), or renames the active one
   * (createdAt and incarnation kept).
   */
  put(schoolId: string, name: string): Promise<{ school: School; created: boolean }>;
  /** Active schools, page by page. */
  list(limit: number, cursor?: string): Promise<Page<School>>;
  /** Marks the active school deleted; returns it as it was (undefined: no active school). */
  markDeleted(schoolId: string, at: number): Promise<School | undefined>;
  /** The new current token hash; the former current becomes the previous. False: no active school. */
  setToken(schoolId: string, hash: string, at: number): Promise<boolean>;
  /** Stops accepting the previous token. False: no active school. */
  dropPreviousToken(schoolId: string, at: number): Promise<boolean>;
}

/** The stage's secret key of token hashes (lib/adapters/secrets): read once per container. */
export type PepperSource = () => Promise<Buffer>;

/** Hands a deleted school's scope to the background erasure of everything it owns. */
export type SchoolErasureLauncher = (school: Pick<School, 'schoolId' | 'incarnation'>) => Promise<void>;

/** The reads behind a school's status (lib/domain/school-status.ts), through the school's own keys. */
export interface StatusReader {
  /** Deliveries answered since `since`: the events' and the quarantine's own items, and the same-id repeats' counters. */
  deliveriesSince(since: number): Promise<ArrivalTally[]>;
  /** The latest delivery ever answered (when none came lately), or null. */
  latestDelivery(): Promise<number | null>;
  /** Products whose purchases wait for a mapping. */
  waiting(): Promise<WaitingProduct[]>;
  mappingCounts(): Promise<{ products: number; offers: number }>;
  /** The latest run, and the runs started since `since`. */
  runs(since: number): Promise<{ latest: ReconciliationRun | null; week: ReconciliationRun[] }>;
}

/** Where a school's erasure stands: a table (by its place in the eraser's list), one of its 16 index shards, and a page of it. */
export type ErasurePosition = { table: number; shard: number; startKey?: Record<string, unknown> };

/** Erases a deleted school's items, page by page, through each table's index of the school's items (never a Scan). */
export interface SchoolEraser {
  /** Deletes one page of the scope's items at `position`; `next` is undefined when every table's every shard was read. */
  erasePage(scope: string, position: ErasurePosition): Promise<{ deleted: number; next?: ErasurePosition }>;
}

/** One step of a school's erasure; `pass`: when the current pass over every table started and what it has deleted. */
export type SchoolErasureJob = Pick<School, 'schoolId' | 'incarnation'> & { pass?: { startedAt: number; deleted: number }; position?: ErasurePosition };
export type SchoolErasureJobLauncher = (job: SchoolErasureJob) => Promise<void>;

/** The tombstones of the registry, for the scheduled sweep that relaunches their erasure. */
export interface TombstoneStore {
  /** Deleted schools, page by page (the registry is the one table that may be scanned). */
  tombstones(cursor?: Record<string, unknown>): Promise<{ items: Pick<School, 'schoolId' | 'incarnation'>[]; next?: Record<string, unknown> }>;
  /** Removes the tombstone if it is still `incarnation`'s; false when it is not (re-created, or already gone). */
  dropTombstone(schoolId: string, incarnation: string): Promise<boolean>;
}
