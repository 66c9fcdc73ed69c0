import { createReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import { createStatusDeps } from '#lib/adapters/dynamodb/status-reader.ts';
import { createSchoolHotmartSources } from '#lib/adapters/school-credentials.ts';
import { loadConfig } from '#lib/config.ts';
import { createLogger } from '#lib/logger.ts';
import { createMetrics } from '#lib/observability/metrics.ts';
import { reconcileRunner } from './runner.ts';

const config = loadConfig();
const { leaseMs, windowHours } = config.reconciliation;
const deps = createReconciliationDeps(config);
const statusDeps = createStatusDeps(deps.db, config.tables);

export const handler = reconcileRunner(
  { ...deps, hotmartFor: createSchoolHotmartSources(config), statusFor: (school) => statusDeps(school).status },
  { leaseMs, windowHours, logger: createLogger('reconcile', config.logLevel), metrics: createMetrics(config.metricsNamespace, 'reconcile') },
);
