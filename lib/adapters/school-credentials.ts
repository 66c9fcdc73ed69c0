import type { Config } from '../config.ts';
import type { SchoolCredentialsDeps } from '../services/school-credentials.ts';
import { createDocumentClient } from './dynamodb/client.ts';
import { createSchoolCredentialsStore } from './dynamodb/school-credentials-store.ts';
import { hotmartCredentialVerifier } from './hotmart/credential-check.ts';
import { schoolHotmartSources } from './hotmart/hotmart-source.ts';
import { credentialSealerFor } from './secrets/credential-sealer.ts';

/** Hotmart's token endpoint gets this long, inside the function's 6 s (a store read and write, and KMS, take the rest). */
const HOTMART_TIMEOUT_MS = 4000;

/** The credentials function's adapters: the registry, the sealer and Hotmart's token endpoint, per stage settings. */
export function createSchoolCredentialsDeps(config: Config): SchoolCredentialsDeps {
  if (!config.tables.schools) throw new Error('SCHOOLS_TABLE is not set (serverless.yml, SchoolsTable)');
  const db = createDocumentClient({ region: config.region, requestTimeoutMs: config.dynamodbRequestTimeoutMs, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) });
  return {
    store: createSchoolCredentialsStore(db, config.tables.schools),
    sealer: credentialSealerFor(config),
    verify: hotmartCredentialVerifier({ production: { tokenUrl: config.reconciliation.tokenUrl }, sandbox: { tokenUrl: config.hotmartSandbox.tokenUrl } }, { requestTimeoutMs: HOTMART_TIMEOUT_MS }),
  };
}

/** The runner's Hotmart API per school: the school's credentials from the registry, opened with the sealer (lib/adapters/hotmart/hotmart-source.ts). */
export function createSchoolHotmartSources(config: Config) {
  const db = createDocumentClient({ region: config.region, requestTimeoutMs: config.dynamodbRequestTimeoutMs, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) });
  return schoolHotmartSources(config, { store: createSchoolCredentialsStore(db, config.tables.schools), sealer: credentialSealerFor(config) });
}
