import { createReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import { createSchoolHotmartSources } from '#lib/adapters/school-credentials.ts';
import { loadConfig } from '#lib/config.ts';
import { createLogger } from '#lib/logger.ts';
import { reconcileRunner } from './runner.ts';

const config = loadConfig();
const { leaseMs, windowHours } = config.reconciliation;

export const handler = reconcileRunner({ ...createReconciliationDeps(config), hotmartFor: createSchoolHotmartSources(config) }, { leaseMs, windowHours, logger: createLogger('reconcile', config.logLevel) });
