import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { loadConfig } from '#lib/config.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { enrollmentRoutes } from './routes.ts';

const config = loadConfig();

export const handler = httpHandler(createLogger('enrollments', config.logLevel), [], enrollmentRoutes(createDynamoDeps(config)));
