import { createAuditDeps } from '#lib/adapters/dynamodb/audit-store.ts';
import { createReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import { lambdaRunLauncher } from '#lib/adapters/lambda/run-launcher.ts';
import { loadConfig } from '#lib/config.ts';
import { audited } from '#lib/http/audit.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { reconciliationRoutes } from './routes.ts';

const config = loadConfig();
const logger = createLogger('reconciliations', config.logLevel);

export const handler = httpHandler(
  logger,
  [audited(createAuditDeps(config), logger)],
  reconciliationRoutes(createReconciliationDeps(config), { launch: lambdaRunLauncher(config), leaseMs: config.reconciliation.leaseMs, logger }),
);
