import { createAuditDeps } from '#lib/adapters/dynamodb/audit-store.ts';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { loadConfig } from '#lib/config.ts';
import { audited } from '#lib/http/audit.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { manualEnrollmentRoutes } from './routes.ts';

const config = loadConfig();
const logger = createLogger('manual-enrollments', config.logLevel);

export const handler = httpHandler(logger, [audited(createAuditDeps(config), logger)], manualEnrollmentRoutes(createDynamoDeps(config), logger));
