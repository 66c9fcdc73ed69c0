import type { Config } from '../../config.ts';
import { createMappingCache } from '../../services/mapping-cache.ts';
import { createDocumentClient } from './client.ts';
import { createEnrollmentReader } from './enrollment-reader.ts';
import { createErasureStore } from './erasure-store.ts';
import { createEventStore } from './event-store.ts';
import { createMappingStore } from './mapping-store.ts';
import { createQuarantineStore } from './quarantine-store.ts';
import { pageCursors } from './keys.ts';
import { createReconciliationStore } from './reconciliation-store.ts';

/** Every port, backed by DynamoDB; built once per container. */
type StoreConfig = Pick<Config, 'tables' | 'region' | 'dynamodbEndpoint' | 'dynamodbRequestTimeoutMs' | 'cursorSecret'> & Partial<Pick<Config, 'eventRetentionDays'>>;

export function createDynamoDeps(config: StoreConfig) {
  const db = createDocumentClient({
    region: config.region,
    requestTimeoutMs: config.dynamodbRequestTimeoutMs,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const cursors = pageCursors(config.cursorSecret);
  const mappingStore = createMappingStore(db, config.tables.mappings, cursors);
  return {
    db,
    events: createEventStore(db, config.tables, config.eventRetentionDays),
    mappingStore,
    mappings: createMappingCache(mappingStore),
    cursors,
    enrollments: createEnrollmentReader(db, config.tables.enrollments, cursors),
    quarantine: createQuarantineStore(db, config.tables.quarantine, cursors),
    erasure: createErasureStore(db, config.tables),
  };
}

export type DynamoDeps = ReturnType<typeof createDynamoDeps>;

/** The ports of the reconciliation functions: the above, and the runs and their lease (kept out of the webhook's bundle). */
export function createReconciliationDeps(config: StoreConfig) {
  const deps = createDynamoDeps(config);
  return { ...deps, runs: createReconciliationStore(deps.db, config.tables.reconciliations, deps.cursors) };
}

export type ReconciliationDeps = ReturnType<typeof createReconciliationDeps>;
