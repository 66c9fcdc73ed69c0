import type { Config } from '../../config.ts';
import { createMappingCache } from '../../services/mapping-cache.ts';
import { createDocumentClient } from './client.ts';
import { createEnrollmentReader } from './enrollment-reader.ts';
import { createErasureStore } from './erasure-store.ts';
import { createEventReader } from './event-reader.ts';
import { createEventStore } from './event-store.ts';
import { createManualGrantStore } from './manual-grant-store.ts';
import { createMappingStore } from './mapping-store.ts';
import { createQuarantineStore } from './quarantine-store.ts';
import { pageCursors, schoolKeys } from './keys.ts';
import { createReconciliationStore } from './reconciliation-store.ts';
import { createSchoolStore } from './school-store.ts';

type StoreConfig = Pick<Config, 'tables' | 'region' | 'dynamodbEndpoint' | 'dynamodbRequestTimeoutMs' | 'cursorSecret'> & Partial<Pick<Config, 'eventRetentionDays'>>;

/**
 * Every port, backed by DynamoDB. One document client, the cursors and the mapping cache are
 * built once per container; `storesFor(scope)` gives one school's stores over them (cheap
 * objects, built per request): every key they use starts with that school's scope.
 */
export function createDynamoDeps(config: StoreConfig) {
  const db = createDocumentClient({
    region: config.region,
    requestTimeoutMs: config.dynamodbRequestTimeoutMs,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const cursors = pageCursors(config.cursorSecret);
  const mappingStoreOf = (scope: string) => createMappingStore(db, config.tables.mappings, cursors, schoolKeys(scope));
  const mappingCache = createMappingCache((scope, productId) => mappingStoreOf(scope).get(productId));
  return {
    db,
    cursors,
    schools: createSchoolStore(db, config.tables.schools, cursors),
    storesFor(scope: string) {
      const school = schoolKeys(scope);
      return {
        scope,
        events: createEventStore(db, config.tables, school, config.eventRetentionDays),
        eventReader: createEventReader(db, config.tables.events, cursors, school),
        mappingStore: mappingStoreOf(scope),
        mappings: mappingCache.forScope(scope),
        enrollments: createEnrollmentReader(db, config.tables.enrollments, cursors, school),
        quarantine: createQuarantineStore(db, config.tables.quarantine, cursors, school),
        erasure: createErasureStore(db, config.tables, school),
        manualGrants: createManualGrantStore(db, config.tables.enrollments, school),
      };
    },
  };
}

export type DynamoDeps = ReturnType<typeof createDynamoDeps>;
/** One school's stores. */
export type SchoolStores = ReturnType<DynamoDeps['storesFor']>;

/** The ports of the reconciliation functions: the above, and each school's runs and lease (kept out of the webhook's bundle). */
export function createReconciliationDeps(config: StoreConfig) {
  const deps = createDynamoDeps(config);
  return {
    ...deps,
    storesFor: (scope: string) => ({ ...deps.storesFor(scope), runs: createReconciliationStore(deps.db, config.tables.reconciliations, deps.cursors, schoolKeys(scope)) }),
  };
}

export type ReconciliationDeps = ReturnType<typeof createReconciliationDeps>;
export type ReconciliationStores = ReturnType<ReconciliationDeps['storesFor']>;
