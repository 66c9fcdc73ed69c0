import { createAuditDeps } from '#lib/adapters/dynamodb/audit-store.ts';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { createStatusDeps } from '#lib/adapters/dynamodb/status-reader.ts';
import { lambdaSchoolErasureLauncher } from '#lib/adapters/lambda/school-erasure-launcher.ts';
import { pepperSourceFor } from '#lib/adapters/secrets/pepper.ts';
import { loadConfig } from '#lib/config.ts';
import { audited } from '#lib/http/audit.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { schoolRoutes } from './routes.ts';

const config = loadConfig();
const logger = createLogger('schools', config.logLevel);
const { db, schools } = createDynamoDeps(config);

export const handler = httpHandler(
  logger,
  [audited(createAuditDeps(config), logger)],
  schoolRoutes({ schools, pepper: pepperSourceFor(config), eraseSchool: lambdaSchoolErasureLauncher(config), statusOf: createStatusDeps(db, config.tables) }, logger),
);
