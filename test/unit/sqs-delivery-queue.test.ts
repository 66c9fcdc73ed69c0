import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsDeliveryQueue } from '#lib/adapters/sqs/delivery-queue.ts';

const sqs = mockClient(SQSClient);
const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/hotmart-enrollments-prod-feed-deliveries.fifo';
afterEach(() => sqs.reset());

describe('the SQS delivery queue', () => {
  it('sends in batches of at most 10, with the group and deduplication ids of each message', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const messages = Array.from({ length: 23 }, (_, i) => ({ groupId: `enr-${i % 3}`, dedupId: `evt_${i}`, body: `{"n":${i}}` }));
    await sqsDeliveryQueue({ queueUrl, region: 'us-east-1' }).send(messages);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    assert.deepEqual(calls.map((input) => input.Entries!.length), [10, 10, 3]);
    assert.ok(calls.every((input) => input.QueueUrl === queueUrl));
    assert.deepEqual(calls[2]!.Entries![2], { Id: '2', MessageBody: '{"n":22}', MessageGroupId: 'enr-1', MessageDeduplicationId: 'evt_22' });
    assert.deepEqual(calls.flatMap((input) => input.Entries!.map((e) => e.MessageDeduplicationId)), messages.map((m) => m.dedupId));
  });

  it('sends nothing for no messages', async () => {
    await sqsDeliveryQueue({ queueUrl, region: 'us-east-1' }).send([]);
    assert.equal(sqs.calls().length, 0);
  });

  it('throws when SQS refuses part of a batch, so that the caller retries', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'x' }], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] });
    const queue = sqsDeliveryQueue({ queueUrl, region: 'us-east-1' });
    await assert.rejects(queue.send([{ groupId: 'g', dedupId: 'a', body: '{}' }, { groupId: 'g', dedupId: 'b', body: '{}' }]), /refused 1 of 2 deliveries \(InternalError\)/);
  });

  it('changes a received message’s visibility to the retry delay', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    await sqsDeliveryQueue({ queueUrl, region: 'us-east-1' }).changeVisibility('receipt-123', 90);
    assert.deepEqual(sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input), [{ QueueUrl: queueUrl, ReceiptHandle: 'receipt-123', VisibilityTimeout: 90 }]);
  });
});
