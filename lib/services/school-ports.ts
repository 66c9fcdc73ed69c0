import type { ReconciliationRun } from '../domain/reconciliation.ts';
import type { School } from '../domain/school.ts';
import type { ArrivalTally, WaitingProduct } from '../domain/school-status.ts';
/** The ports of the school registry, its token hashes, its status and its erasure; lib/adapters implements each. */

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
  list(limit: number, cursor?: string): Promise<{ items: School[]; nextCursor: string | null }>;
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
