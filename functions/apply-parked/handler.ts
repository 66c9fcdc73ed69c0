import type { Context } from 'aws-lambda';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { lambdaParkedLauncher } from '#lib/adapters/lambda/parked-launcher.ts';
import { loadConfig } from '#lib/config.ts';
import { createLogger } from '#lib/logger.ts';
import { drainParked } from '#lib/services/apply-parked.ts';
import { ParkedJobSchema } from './schema.ts';

const config = loadConfig();
const logger = createLogger('apply-parked', config.logLevel);
const deps = createDynamoDeps(config);
const launch = lambdaParkedLauncher(config);

/**
 * Applies the purchases that waited for a mapping, started by a mapping PUT that ran out of time,
 * then invokes itself for the rest. A throw makes Lambda retry this step; after the last retry the
 * step goes to the on-failure queue (serverless.yml) and the rest waits for the next mapping PUT.
 */
export async function handler(event: unknown, context: Context) {
  const job = ParkedJobSchema.parse(event);
  const remaining = context.getRemainingTimeInMillis();
  // Stop starting new work with time left to hand over the rest: 10 s, or half of a short timeout.
  const deadline = Date.now() + remaining - Math.min(10_000, remaining / 2);
  const { applied, continued } = await drainParked(job, deadline, { store: deps.mappingStore, events: deps.events, launch });
  logger.info('parked purchases applied', { productId: job.productId, applied, continued });
  return { productId: job.productId, applied, continued };
}
