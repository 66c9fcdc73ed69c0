import { createFeedDeps } from '#lib/adapters/feed-admin.ts';
import { loadConfig } from '#lib/config.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { feedRoutes } from './routes.ts';

const config = loadConfig();
const logger = createLogger('feed', config.logLevel);

export const handler = httpHandler(logger, [], feedRoutes(createFeedDeps(config), logger));
