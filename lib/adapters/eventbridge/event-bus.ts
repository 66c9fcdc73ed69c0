import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventBus } from '../../services/feed-delivery-ports.ts';

/**
 * The stage's EventBridge bus (serverless.yml FeedBus): every feed event, source
 * `hotmart-enrollments`, detail-type = its type, detail = the envelope, for AWS-native consumers.
 * The client is imported on first use from Lambda's runtime (not bundled: custom.esbuild.exclude).
 */
export const FEED_EVENT_SOURCE = 'hotmart-enrollments';
const BATCH_MAX = 10; // PutEvents' limit

export function eventBridgeBus(options: { busName: string; region: string }): EventBus {
  let client: Promise<{ client: EventBridgeClient; sdk: typeof import('@aws-sdk/client-eventbridge') }> | undefined;
  const eventBridge = () =>
    (client ??= import('@aws-sdk/client-eventbridge')
      .then((sdk) => ({ sdk, client: new sdk.EventBridgeClient({ region: options.region, maxAttempts: 3 }) }))
      .catch((error: unknown) => {
        client = undefined;
        throw error;
      }));
  return {
    async put(events) {
      const { client: c, sdk } = await eventBridge();
      for (let start = 0; start < events.length; start += BATCH_MAX) {
        const batch = events.slice(start, start + BATCH_MAX);
        const result = await c.send(
          new sdk.PutEventsCommand({ Entries: batch.map((event) => ({ EventBusName: options.busName, Source: FEED_EVENT_SOURCE, DetailType: event.type, Detail: event.detail })) }),
        );
        // A partial failure throws: the stream retries the record (consumers see an event at least once).
        if ((result.FailedEntryCount ?? 0) > 0) throw new Error(`EventBridge refused ${result.FailedEntryCount} of ${batch.length} events`);
      }
    },
  };
}
