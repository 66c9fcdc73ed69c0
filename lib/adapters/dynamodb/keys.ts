import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../../domain/errors.ts';
import { normalizeEmail } from '../../domain/email.ts';
import type { Target } from '../../domain/mapping.ts';
import { QUARANTINE_SHARD, shardOf } from '../../domain/school-status.ts';

/**
 * Every key and index value of the service is built here. Everything a school owns is keyed under
 * its scope (`<schoolId>#<incarnation>`, lib/domain/school.ts): every partition key and every index
 * hash value starts with `S#<schoolId>#<incarnation>#`, so one school's requests name only its own
 * items, and a school created again under the same id (a new incarnation) starts empty.
 */

/** A target inside a key or an index: `course#c1`. */
const targetPart = (target: Target) => `${target.type}#${target.id}`;
export const ENROLLMENT_SORT_PREFIX = 'TARGET#';
/** The sort key prefix of a school's feed events (`EVT#<id>`), and the sort key of an event record. */
export const FEED_EVENT_SORT_PREFIX = 'EVT#';
export const EVENT_RECORD_SORT = 'EVENT';
const mappingSort = (productId: string, offerCode?: string) => `PRODUCT#${productId}#${offerCode === undefined ? 'MAPPING' : `OFFER#${offerCode}`}`;

/** The value of the `bySchool` index (every item of a school, in 16 shards: lib/adapters/dynamodb/school-shard.ts). */
export const schoolShardValue = (scope: string, shard: string) => `S#${scope}#ERASE#${shard}`;

/** The school registry's key (the one table not keyed by a scope: it is where scopes come from). */
export const schoolKey = (schoolId: string) => ({ pk: `SCHOOL#${schoolId}` });

/**
 * A school's audit trail (the audit table), keyed by the school id, not its scope: it outlives the
 * school's deletion for its year, and a school created again under the id continues it. The one
 * key besides the registry's not under a scope (scripts/key-scope.ts's documented exception).
 */
export function auditKeys(schoolId: string) {
  const partition = `AUDIT#${schoolId}`;
  return {
    partition,
    /** Sorts by time (ms, 15 digits), then a random id: the newest first when read backwards. */
    record: (at: number, id: string) => ({ pk: partition, sk: `${String(at).padStart(15, '0')}#${id}` }),
    /** The `byStudent` index's key on a record naming a student's e-mail: the student's erasure queries it. */
    student: (email: string) => ({ studentKey: `${partition}#STUDENT#${normalizeEmail(email)}` }),
    studentIndexName: 'byStudent',
  };
}

/** Every table key of one school, in one place: `scope` is `<schoolId>#<incarnation>`. */
export function schoolKeys(scope: string) {
  const p = `S#${scope}#`;
  const parkedPartition = (productId: string) => `${p}PARKED#${productId}`;
  const studentPartition = (email: string) => `${p}STUDENT#${email}`;
  /** A school's mappings share one partition, so that listing them is a Query. */
  const mappingsPartition = `${p}MAPPINGS`;
  /** A school's quarantined deliveries share one partition, so that listing them is a Query. */
  const quarantinePartition = `${p}QUARANTINE`;
  /** The partition a school's reconciliation runs are listed under. */
  const runsPartition = `${p}RUN`;
  const arrivalIndex = (shard: string) => `${p}ARRIVAL#${shard}`;
  const waitingIndex = (shard: string) => `${p}WAITING#${shard}`;
  const feedStatePartition = (email: string) => `${p}FEEDSTATE#${email}`;
  const keys = {
    /** The prefix of every key of this school (the erasure of a school, a scope check). */
    prefix: p,
    event: (id: string) => ({ pk: `${p}EVENT#${id}`, sk: EVENT_RECORD_SORT }),
    businessKey: (transaction: string, event: string) => ({ pk: `${p}TXEVENT#${transaction}#${event}`, sk: 'TXEVENT' }),
    parked: (productId: string, creationDate: number, id: string) => ({
      pk: parkedPartition(productId),
      sk: `${String(creationDate).padStart(15, '0')}#${id}`,
    }),
    parkedPartition,
    transaction: (transaction: string) => ({ pk: `${p}TX#${transaction}`, sk: 'TX' }),
    enrollment: (email: string, target: Target) => ({ pk: studentPartition(email), sk: `${ENROLLMENT_SORT_PREFIX}${targetPart(target)}` }),
    studentPartition,
    /** The sort keys of a student's enrollments (their partition also holds other items). */
    enrollmentSortPrefix: ENROLLMENT_SORT_PREFIX,
    subscription: (subscriberCode: string) => ({ pk: `${p}SUB#${subscriberCode}`, sk: 'SUB' }),
    mapping: (productId: string, offerCode?: string) => ({ pk: mappingsPartition, sk: mappingSort(productId, offerCode) }),
    mappingsPartition,
    /** The sort keys of one product's mapping items (its own, then its offers'). */
    productSortPrefix: (productId: string) => `PRODUCT#${productId}#`,
    /** Is this mapping item the product's own (not an offer's)? */
    isProductMapping: (item: Record<string, unknown>) => item.sk === mappingSort(String(item.productId)),
    /** The product a mapping item's sort key names (a page cursor's start key). */
    productOfMappingSort: (sk: string) => sk.split('#')[1],
    /** The id is the service's quarantineIdOfBody (lib/services/receive-webhook.ts), which hashes the scope in. */
    quarantine: (id: string) => ({ pk: quarantinePartition, sk: id }),
    quarantinePartition,
    /** An erasure in progress: the pseudonym a re-run reuses, keyed by the SHA-256 of the normalised e-mail. */
    erasure: (emailKey: string) => ({ pk: `${p}ERASURE#${emailKey}`, sk: 'ERASURE' }),
    run: (id: string) => ({ pk: runsPartition, sk: id }),
    runsPartition,
    /** The lease that keeps this school's reconciliation runs from overlapping (each school has its own). */
    lease: { pk: `${p}LEASE`, sk: 'reconciliation' },
    /** Same-id repeat deliveries (they write nothing else), counted per minute on one of the shards (lib/domain/school-status.ts). */
    repeats: (shard: string, minute: string) => ({ pk: `${p}REPEATS#${shard}`, sk: minute }),
    repeatsPartition: (shard: string) => `${p}REPEATS#${shard}`,
    /** The feed (feed table): the school's events in emission order, one partition (ids sort by emission). */
    feedEventsPartition: `${p}FEED`,
    feedEvent: (id: string) => ({ pk: `${p}FEED`, sk: `${FEED_EVENT_SORT_PREFIX}${id}` }),
    feedEventSortPrefix: FEED_EVENT_SORT_PREFIX,
    /** The school's push endpoint (url, types, sealed secrets, disabled or not). */
    feedEndpoint: { pk: `${p}FEED#ENDPOINT`, sk: 'ENDPOINT' },
    /** One enrollment's last emitted feed state and sequence, keyed like the enrollment (an erasure moves both). */
    feedState: (email: string, target: Target) => ({ pk: feedStatePartition(email), sk: `${ENROLLMENT_SORT_PREFIX}${targetPart(target)}` }),
    feedStatePartition,
  };
  /** Index attribute values written on items, and the names of the indexes that read them. */
  const attributes = {
    /** The `byTarget` index's key on an enrollment: a target's roster in this school. */
    rosterIndex: (target: Target) => `${p}${targetPart(target)}`,
    rosterIndexName: 'byTarget',
    /** The sparse `arrivals` index (events and quarantine tables): a school's answered deliveries by receipt, on one shard of each. */
    arrivalIndex,
    arrivalIndexName: 'arrivals',
    /** The attributes that put an item answering a delivery on the `arrivals` index (sparse: nothing else has them). */
    arrival: (id: string, receivedAt: number, status: string) => ({ arrivalKey: arrivalIndex(status === 'quarantined' ? QUARANTINE_SHARD : shardOf(id)), arrivalAt: receivedAt, arrivalStatus: status }),
    /** The sparse `waiting` index (events table): a school's parked purchases by product, on one shard of each. */
    waitingIndex,
    waitingIndexName: 'waiting',
    waiting: (id: string, productId: string) => ({ waitingKey: waitingIndex(shardOf(id)), waitingProduct: productId }),
    /**
     * The `byStudent` index's key on an event record, a parked event or a quarantined delivery
     * holding a buyer's e-mail (none: no attribute): the student's erasure queries it, never scans.
     */
    student: (email: unknown): { studentKey?: string } => (typeof email === 'string' && email !== '' ? { studentKey: `${p}STUDENT#${normalizeEmail(email)}` } : {}),
    studentIndexName: 'byStudent',
    /** The sparse `byTransaction` index's key on an event record (none without a transaction): every event of a transaction, by receipt. */
    transaction: (transaction: unknown): { txKey?: string } => (typeof transaction === 'string' && transaction !== '' ? { txKey: `${p}TX#${transaction}` } : {}),
    transactionIndexName: 'byTransaction',
    /** The sparse `feedPending` index: an event not yet delivered to the school's endpoint (removed when delivered, dead or not to be pushed). */
    feedPending: { pendingKey: `${p}FEED#PENDING` },
    feedPendingIndexName: 'feedPending',
    /** The sparse `feedDead` index: an event whose retries ran out. */
    feedDead: { deadKey: `${p}FEED#DEAD` },
    feedDeadIndexName: 'feedDead',
  };
  return { scope, keys, attributes };
}

export type SchoolKeys = ReturnType<typeof schoolKeys>;

/**
 * Across schools by design (serverless.yml `cross-school-access-ends`): a feed state whose access may
 * end by time, on one of 16 shards, at `at` (epoch ms). The expiry sweep reads it, then acts through
 * the school's own keys (the item's pk names its scope).
 */
export const ACCESS_ENDS_INDEX = 'cross-school-access-ends';
export const accessEndsAttributes = (shard: string, at: number) => ({ accessEndsKey: `ENDS#${shard}`, accessEndsAt: at });

/** Enrollment attribute holding one transaction's status. */
export const transactionAttribute = (transaction: string) => `tx:${transaction}`;
export const TRANSACTION_ATTRIBUTE_PREFIX = 'tx:';
/** Enrollment attribute mirroring one subscription's state. */
export const subscriptionAttribute = (subscriberCode: string) => `sub:${subscriberCode}`;
export const SUBSCRIPTION_ATTRIBUTE_PREFIX = 'sub:';

/**
 * Page cursors: the DynamoDB start key, encrypted and authenticated with AES-256-GCM, bound to
 * the list it was issued for (`list`: the route and its filter, e.g. a roster's target, as the
 * additional authenticated data). So a cursor is opaque — a roster's holds a student's e-mail,
 * which must not show in a URL — and one from another list, another deployment, or a forged or
 * altered one fails authentication: a 400, never a start key DynamoDB would refuse.
 */
export type PageCursors = {
  encode(list: string, key: Record<string, unknown> | undefined): string | null;
  /** The start key a cursor stands for; a cursor this list did not issue is a 400. */
  startKey(list: string, cursor: string | undefined): Record<string, string | number> | undefined;
};

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** `secret` is stable per deployment (the stack's id in AWS; see lib/config.ts); the key is derived from it once. */
export function pageCursors(secret: string | undefined): PageCursors {
  let derived: Buffer | undefined;
  const key = () => {
    // A function that serves a list without its secret is misconfigured: a 500, not a weak key.
    if (secret === undefined) throw new Error('CURSOR_SECRET is not configured for this function');
    return (derived ??= Buffer.from(hkdfSync('sha256', secret, 'hotmart-enrollments', 'page cursor v1', 32)));
  };
  return {
    encode(list, startKey) {
      if (!startKey) return null;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key(), iv).setAAD(Buffer.from(list, 'utf8'));
      const sealed = Buffer.concat([cipher.update(JSON.stringify(startKey), 'utf8'), cipher.final()]);
      return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
    },
    startKey(list, cursor) {
      if (cursor === undefined) return undefined;
      const startKey = open(key(), list, cursor);
      if (!startKey) throw new AppError('REQUEST.INVALID', 'invalid cursor', [{ field: 'cursor', message: 'not a cursor this list issued; start again without it' }]);
      return startKey;
    },
  };
}

function open(key: Buffer, list: string, cursor: string): Record<string, string | number> | undefined {
  try {
    const bytes = Buffer.from(cursor, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES })
      .setAAD(Buffer.from(list, 'utf8'))
      .setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    const value: unknown = JSON.parse(plain);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const entries = Object.entries(value);
    // Key attributes are strings, or a number (an index's range key such as receivedAt).
    if (entries.length === 0 || entries.length > 4 || entries.some(([, v]) => typeof v !== 'string' && !Number.isFinite(v))) return undefined;
    return value as Record<string, string | number>;
  } catch {
    return undefined;
  }
}
