import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { loadConfig } from '#lib/config.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { manualEnrollmentRoutes } from './routes.ts';

const config = loadConfig();
const logger = createLogger('manual-enrollments', config.logLevel);

export const handler = httpHandler(logger, [], manualEnrollmentRoutes(createDynamoDeps(config), logger));
