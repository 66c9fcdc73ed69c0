import { createReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import { createSchoolsWithCredentials } from '#lib/adapters/dynamodb/schools-with-credentials.ts';
import { lambdaFanOutLauncher } from '#lib/adapters/lambda/fanout-launcher.ts';
import { lambdaRunLauncher } from '#lib/adapters/lambda/run-launcher.ts';
import { loadConfig } from '#lib/config.ts';
import { createLogger } from '#lib/logger.ts';
import { reconcileFanOut } from './fanout.ts';

const config = loadConfig();
const deps = createReconciliationDeps(config);
const { leaseMs, queueMs, windowHours, fanOutPageSize: pageSize } = config.reconciliation;

export const handler = reconcileFanOut(
  { schools: createSchoolsWithCredentials(deps.db, config.tables.schools), runsOf: (scope) => deps.storesFor(scope).runs, launch: lambdaRunLauncher(config), next: lambdaFanOutLauncher(config) },
  // A started run holds its school's lease while it waits for a free runner, then while it runs.
  { pageSize, leaseMs: queueMs + leaseMs, windowHours, logger: createLogger('reconcile-fanout', config.logLevel) },
);
