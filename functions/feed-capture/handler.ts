import { createDocumentClient } from '#lib/adapters/dynamodb/client.ts';
import { createFeedCaptureStore } from '#lib/adapters/dynamodb/feed-capture-store.ts';
import { loadConfig } from '#lib/config.ts';
import { createEventIdFactory } from '#lib/domain/feed/event-id.ts';
import { createLogger } from '#lib/logger.ts';
import { captureWorker } from './worker.ts';

const config = loadConfig();
const db = createDocumentClient({ region: config.region, requestTimeoutMs: config.dynamodbRequestTimeoutMs, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) });

export const handler = captureWorker({ feed: createFeedCaptureStore(db, config.tables), clock: Date.now, newEventId: createEventIdFactory(Date.now) }, createLogger('feed-capture', config.logLevel));
