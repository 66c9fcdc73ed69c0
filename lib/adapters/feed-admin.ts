import type { Config } from '../config.ts';
import { createEventIdFactory } from '../domain/feed/event-id.ts';
import type { FeedRedriveLauncher } from '../services/feed-admin-ports.ts';
import { createDocumentClient } from './dynamodb/client.ts';
import { createFeedEndpointStore } from './dynamodb/feed-endpoint-store.ts';
import { createFeedEventReader } from './dynamodb/feed-event-reader.ts';
import { pageCursors, schoolKeys } from './dynamodb/keys.ts';
import { createSchoolStore } from './dynamodb/school-store.ts';
import { feedAdminRedriveLauncher, lambdaFeedRedriveLauncher } from './lambda/feed-redrive-launcher.ts';
import { feedSecretSealerFor } from './secrets/feed-secret-sealer.ts';
import { checkEndpoint } from './webhooks/endpoint-guard.ts';
import { sendWebhook } from './webhooks/send.ts';
import { newSecret } from './webhooks/sign.ts';

/**
 * The feed function's adapters: the registry, each school's endpoint item and stored events, the
 * secrets' sealer, the redrive worker, and the sender for pings. `local` (a local run: http to the
 * loopback host allowed as an endpoint) and `redrive` may be given, for tests.
 */
export function createFeedDeps(config: Config, options: { local?: boolean; redrive?: FeedRedriveLauncher } = {}) {
  const db = createDocumentClient({ region: config.region, requestTimeoutMs: config.dynamodbRequestTimeoutMs, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) });
  const cursors = pageCursors(config.cursorSecret);
  const local = options.local ?? config.feed.local;
  const sealer = feedSecretSealerFor(config);
  const redrive = options.redrive ?? feedAdminRedriveLauncher(lambdaFeedRedriveLauncher(config));
  const newEventId = createEventIdFactory(Date.now);
  return {
    schools: createSchoolStore(db, config.tables.schools, cursors),
    storesFor(scope: string) {
      const school = schoolKeys(scope);
      return {
        scope,
        endpoints: createFeedEndpointStore(db, config.tables.feed, school),
        events: createFeedEventReader(db, config.tables.feed, cursors, school),
        sealer,
        redrive,
        ping: (delivery: { url: string; id: string; body: string; secrets: string[] }) => sendWebhook(delivery, { local }),
        checkUrl: (url: string) => checkEndpoint(url, { local }),
        newSecret,
        newEventId,
        now: Date.now,
      };
    },
  };
}

export type FeedDeps = ReturnType<typeof createFeedDeps>;
