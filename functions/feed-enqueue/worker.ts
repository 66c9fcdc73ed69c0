import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { enqueueRecordsOf } from '#lib/adapters/dynamodb/feed-delivery-store.ts';
import { enqueueFeedEvents } from '#lib/services/feed-delivery.ts';
import type { FeedDeliveryDeps } from '#lib/services/feed-delivery.ts';
import type { EventBus } from '#lib/services/feed-delivery-ports.ts';

/**
 * The feed table's stream (INSERTs of events): each on the bus and queued for the school's endpoint.
 * A failed record is reported (ReportBatchItemFailures): the stream retries from it, bisects, and
 * after the last retry sends its metadata to the on-failure queue (serverless.yml).
 */
export function feedEnqueueHandler(deps: FeedDeliveryDeps & { bus: EventBus }) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { failedAt } = await enqueueFeedEvents(enqueueRecordsOf(event.Records as Parameters<typeof enqueueRecordsOf>[0]), deps);
    return { batchItemFailures: failedAt === null ? [] : [{ itemIdentifier: failedAt }] };
  };
}
