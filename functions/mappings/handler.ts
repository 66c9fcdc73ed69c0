import { createAuditDeps } from '#lib/adapters/dynamodb/audit-store.ts';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { lambdaParkedLauncher } from '#lib/adapters/lambda/parked-launcher.ts';
import { loadConfig } from '#lib/config.ts';
import { audited } from '#lib/http/audit.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { mappingRoutes } from './routes.ts';

const config = loadConfig();
const logger = createLogger('mappings', config.logLevel);

export const handler = httpHandler(
  logger,
  [audited(createAuditDeps(config), logger)],
  mappingRoutes(createDynamoDeps(config), { launch: lambdaParkedLauncher(config), inlineBudgetMs: config.parked.inlineBudgetMs, logger }),
);
