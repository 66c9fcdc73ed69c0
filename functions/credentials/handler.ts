import { createAuditDeps } from '#lib/adapters/dynamodb/audit-store.ts';
import { createSchoolCredentialsDeps } from '#lib/adapters/school-credentials.ts';
import { loadConfig } from '#lib/config.ts';
import { audited } from '#lib/http/audit.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { credentialsRoutes } from './routes.ts';

const config = loadConfig();
const logger = createLogger('credentials', config.logLevel);

export const handler = httpHandler(logger, [audited(createAuditDeps(config), logger)], credentialsRoutes(createSchoolCredentialsDeps(config), logger));
