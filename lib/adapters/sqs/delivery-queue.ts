import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryMessage, DeliveryQueue } from '../../services/ports.ts';

/**
 * The feed's delivery queue in AWS: the SQS FIFO queue `feed-deliveries.fifo`.
 *
 * The SQS client is imported on first use from Lambda's runtime (not bundled: see
 * serverless.yml custom.esbuild.exclude), and built once per container.
 */
const BATCH_MAX = 10; // SendMessageBatch's limit

export function sqsDeliveryQueue(options: { queueUrl: string; region: string; endpoint?: string }): DeliveryQueue {
  let client: Promise<{ client: SQSClient; sqs: typeof import('@aws-sdk/client-sqs') }> | undefined;
  const sqs = () =>
    (client ??= import('@aws-sdk/client-sqs').then((module) => ({
      sqs: module,
      client: new module.SQSClient({
        region: options.region,
        maxAttempts: 3,
        ...(options.endpoint ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
      }),
    })));

  return {
    async send(messages: DeliveryMessage[]): Promise<void> {
      const { client, sqs: module } = await sqs();
      for (let start = 0; start < messages.length; start += BATCH_MAX) {
        const batch = messages.slice(start, start + BATCH_MAX);
        const result = await client.send(
          new module.SendMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: batch.map((message, index) => ({
              Id: String(index),
              MessageBody: message.body,
              MessageGroupId: message.groupId,
              MessageDeduplicationId: message.dedupId,
            })),
          }),
        );
        // A partial failure throws: the caller's stream batch is retried, and the dedup ids keep
        // the entries that did go in from being queued twice (within SQS's 5-minute window).
        const failed = result.Failed ?? [];
        if (failed.length > 0) {
          throw new Error(`SQS refused ${failed.length} of ${batch.length} deliveries (${[...new Set(failed.map((f) => f.Code))].join(', ')})`);
        }
      }
    },
    async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
      const { client, sqs: module } = await sqs();
      await client.send(new module.ChangeMessageVisibilityCommand({ QueueUrl: options.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
    },
  };
}
