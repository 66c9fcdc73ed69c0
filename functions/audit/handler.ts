import { createAuditDeps } from '#lib/adapters/dynamodb/audit-store.ts';
import { loadConfig } from '#lib/config.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { auditRoutes } from './routes.ts';

const config = loadConfig();

export const handler = httpHandler(createLogger('audit', config.logLevel), [], auditRoutes(createAuditDeps(config)));
