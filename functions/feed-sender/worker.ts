import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { feedSender } from '#lib/services/feed-delivery.ts';
import type { SenderDeps } from '#lib/services/feed-delivery.ts';

/** The FIFO delivery queue's messages, signed and POSTed; failed ones reported (ReportBatchItemFailures). */
export function feedSenderHandler(deps: SenderDeps) {
  const send = feedSender(deps);
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const { failed } = await send(
      event.Records.map((record) => ({
        messageId: record.messageId,
        receiptHandle: record.receiptHandle,
        groupId: record.attributes.MessageGroupId ?? record.messageId,
        body: record.body,
        receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
        firstReceivedAt: Number(record.attributes.ApproximateFirstReceiveTimestamp) || deps.now(),
      })),
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
