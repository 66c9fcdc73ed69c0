import { createAuditDeps } from '#lib/adapters/dynamodb/audit-store.ts';
import { createFeedDeps } from '#lib/adapters/feed-admin.ts';
import { loadConfig } from '#lib/config.ts';
import { audited } from '#lib/http/audit.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { feedRoutes } from './routes.ts';

const config = loadConfig();
const logger = createLogger('feed', config.logLevel);

export const handler = httpHandler(logger, [audited(createAuditDeps(config), logger)], feedRoutes(createFeedDeps(config), logger));
