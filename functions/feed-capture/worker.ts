import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { enrollmentChangeOf } from '#lib/adapters/dynamodb/feed-stream.ts';
import type { Logger } from '#lib/logger.ts';
import type { CaptureDeps } from '#lib/services/feed-capture.ts';
import { captureChange } from '#lib/services/feed-capture.ts';

/**
 * The enrollments table's stream → feed events. Records go in order; the first that fails is
 * reported (ReportBatchItemFailures) with every record after it, so Lambda retries from it, and
 * after maximumRetryAttempts sends its metadata to the on-failure queue while the shard moves on.
 * The log names the record by its sequence number only (no e-mail).
 */
export function captureWorker(deps: CaptureDeps, logger: Logger) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    for (const [index, record] of event.Records.entries()) {
      try {
        const change = enrollmentChangeOf(record);
        if (change) await captureChange(change, deps);
      } catch (error) {
        const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
        logger.error('feed capture failed', { sequenceNumber, eventName: record.eventName, error: (error as Error).name });
        return { batchItemFailures: event.Records.slice(index).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })) };
      }
    }
    return { batchItemFailures: [] };
  };
}
