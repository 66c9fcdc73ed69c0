import { createDocumentClient } from '#lib/adapters/dynamodb/client.ts';
import { createAccessEndsIndex, createEnrollmentSource, createFeedCaptureStore } from '#lib/adapters/dynamodb/feed-capture-store.ts';
import { loadConfig } from '#lib/config.ts';
import { createEventIdFactory } from '#lib/domain/feed/event-id.ts';
import { createLogger } from '#lib/logger.ts';
import { sweepExpired } from '#lib/services/feed-expiry.ts';

const config = loadConfig();
const db = createDocumentClient({ region: config.region, requestTimeoutMs: config.dynamodbRequestTimeoutMs, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) });
const deps = {
  feed: createFeedCaptureStore(db, config.tables),
  due: createAccessEndsIndex(db, config.tables),
  enrollment: createEnrollmentSource(db, config.tables),
  clock: Date.now,
  newEventId: createEventIdFactory(Date.now),
};
const logger = createLogger('feed-expiry', config.logLevel);

/** Every minute (serverless.yml schedule): announces the accesses that ended by time. A throw: the next minute sweeps again. */
export const handler = async () => {
  const result = await sweepExpired(deps);
  logger.info('feed expiry swept', result);
  return result;
};
