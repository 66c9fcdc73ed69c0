import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { lambdaParkedLauncher } from '#lib/adapters/lambda/parked-launcher.ts';
import { loadConfig } from '#lib/config.ts';
import { createLogger } from '#lib/logger.ts';
import { parkedWorker } from './worker.ts';

const config = loadConfig();
const deps = createDynamoDeps(config);

export const handler = parkedWorker({ storesFor: deps.storesFor, launch: lambdaParkedLauncher(config) }, createLogger('apply-parked', config.logLevel));
