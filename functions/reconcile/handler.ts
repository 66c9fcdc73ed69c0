import { createReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import { hotmartSource } from '#lib/adapters/hotmart/hotmart-source.ts';
import { loadConfig } from '#lib/config.ts';
import { createLogger } from '#lib/logger.ts';
import { reconcileRunner } from './runner.ts';

const config = loadConfig();
const { leaseMs, windowHours } = config.reconciliation;

export const handler = reconcileRunner({ ...createReconciliationDeps(config), hotmart: hotmartSource(config) }, { leaseMs, windowHours, logger: createLogger('reconcile', config.logLevel) });
