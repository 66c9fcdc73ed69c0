import { createAuditDeps } from '#lib/adapters/dynamodb/audit-store.ts';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { loadConfig } from '#lib/config.ts';
import { audited } from '#lib/http/audit.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { recoveryRoutes } from './routes.ts';

const config = loadConfig();
const logger = createLogger('recovery', config.logLevel);

export const handler = httpHandler(logger, [audited(createAuditDeps(config), logger)], recoveryRoutes(createDynamoDeps(config), logger));
