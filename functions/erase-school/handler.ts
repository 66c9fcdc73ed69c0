import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { createSchoolEraser } from '#lib/adapters/dynamodb/school-eraser.ts';
import { lambdaSchoolErasureLauncher } from '#lib/adapters/lambda/school-erasure-launcher.ts';
import { loadConfig } from '#lib/config.ts';
import { createLogger } from '#lib/logger.ts';
import { eraseSchoolWorker } from './worker.ts';

const config = loadConfig();
const deps = createDynamoDeps(config);

export const handler = eraseSchoolWorker(
  { eraser: createSchoolEraser(deps.db, config.tables), schools: deps.schools, launch: lambdaSchoolErasureLauncher(config), cacheTtlMs: config.schoolCacheTtlMs },
  createLogger('erase-school', config.logLevel),
);
