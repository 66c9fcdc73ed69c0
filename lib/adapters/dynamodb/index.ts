import type { Config } from '../../config.ts';
import { createMappingCache } from '../../services/mapping-cache.ts';
import { createDocumentClient } from './client.ts';
import { createEnrollmentReader } from './enrollment-reader.ts';
import { createErasureStore } from './erasure-store.ts';
import { createEventStore } from './event-store.ts';
import { createMappingStore } from './mapping-store.ts';
import { createQuarantineStore } from './quarantine-store.ts';
import { createReconciliationStore } from './reconciliation-store.ts';

/** Every port, backed by DynamoDB; built once per container. */
export function createDynamoDeps(config: Pick<Config, 'tables' | 'region' | 'dynamodbEndpoint' | 'dynamodbRequestTimeoutMs'> & Partial<Pick<Config, 'eventRetentionDays'>>) {
  const db = createDocumentClient({
    region: config.region,
    requestTimeoutMs: config.dynamodbRequestTimeoutMs,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const mappingStore = createMappingStore(db, config.tables.mappings);
  return {
    db,
    events: createEventStore(db, config.tables, config.eventRetentionDays),
    mappingStore,
    mappings: createMappingCache(mappingStore),
    enrollments: createEnrollmentReader(db, config.tables.enrollments),
    quarantine: createQuarantineStore(db, config.tables.quarantine),
    erasure: createErasureStore(db, config.tables),
  };
}

export type DynamoDeps = ReturnType<typeof createDynamoDeps>;

/** The ports of the reconciliation functions: the above, and the runs and their lease (kept out of the webhook's bundle). */
export function createReconciliationDeps(config: Parameters<typeof createDynamoDeps>[0]) {
  const deps = createDynamoDeps(config);
  return { ...deps, runs: createReconciliationStore(deps.db, config.tables.reconciliations) };
}

export type ReconciliationDeps = ReturnType<typeof createReconciliationDeps>;
