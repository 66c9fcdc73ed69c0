import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { manualClock } from '#lib/adapters/local/clock.ts';
import { LocalFifoQueue } from '#lib/adapters/local/fifo-queue.ts';

type Seen = { body: string; group: string; receiveCount: number; at: number };

/** A queue on a manual clock whose handler records each record and fails the bodies `fail` says. */
function setUp(options: { fail?: (record: SQSRecord) => boolean | number; visibilityTimeoutSeconds?: number; maxReceiveCount?: number; batchSize?: number } = {}) {
  const clock = manualClock();
  const seen: Seen[] = [];
  const events: SQSEvent[] = [];
  const queue: LocalFifoQueue = new LocalFifoQueue({
    clock,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    maxReceiveCount: options.maxReceiveCount,
    batchSize: options.batchSize,
    handler: async (event): Promise<SQSBatchResponse> => {
      events.push(event);
      const batchItemFailures: { itemIdentifier: string }[] = [];
      for (const record of event.Records) {
        seen.push({ body: record.body, group: record.attributes.MessageGroupId!, receiveCount: Number(record.attributes.ApproximateReceiveCount), at: clock.now() });
        const fail = options.fail?.(record);
        if (typeof fail === 'number') await queue.changeVisibility(record.receiptHandle, fail);
        if (fail !== undefined && fail !== false) batchItemFailures.push({ itemIdentifier: record.messageId });
      }
      return { batchItemFailures };
    },
  });
  return { clock, queue, seen, events };
}

describe('LocalFifoQueue, the local stand-in for SQS FIFO and its Lambda event source mapping', () => {
  it('delivers an SQS-shaped event and deletes what the handler did not report failed', async () => {
    const { queue, seen, events } = setUp();
    await queue.send([{ groupId: 'enr-a', dedupId: 'evt_1', body: '{"n":1}' }]);
    await queue.idle();
    assert.deepEqual(seen.map((s) => s.body), ['{"n":1}']);
    const [record] = events[0]!.Records;
    assert.equal(record!.eventSource, 'aws:sqs');
    assert.match(record!.eventSourceARN, /^arn:aws:sqs:.*feed-deliveries\.fifo$/);
    assert.equal(record!.attributes.MessageDeduplicationId, 'evt_1');
    assert.equal(record!.attributes.ApproximateReceiveCount, '1');
    assert.ok(record!.receiptHandle);
    assert.equal(queue.size(), 0);
  });

  it('keeps order within a group: the next message waits until the one before it is deleted', async () => {
    const { clock, queue, seen } = setUp({ fail: (r) => r.body === 'a1' && r.attributes.ApproximateReceiveCount === '1' });
    await queue.send(['a1', 'a2', 'a3'].map((body, i) => ({ groupId: 'enr-a', dedupId: `evt_${i}`, body })));
    await queue.idle();
    assert.deepEqual(seen.map((s) => s.body), ['a1']);
    clock.advance(30_000); // the default visibility timeout
    await queue.drain();
    assert.deepEqual(seen.map((s) => `${s.body}#${s.receiveCount}`), ['a1#1', 'a1#2', 'a2#1', 'a3#1']);
  });

  it('lets other groups flow while one group waits for its failed message', async () => {
    const { queue, seen } = setUp({ fail: (r) => r.attributes.MessageGroupId === 'enr-a', batchSize: 1 });
    await queue.send([
      { groupId: 'enr-a', dedupId: 'a1', body: 'a1' },
      { groupId: 'enr-a', dedupId: 'a2', body: 'a2' },
      { groupId: 'enr-b', dedupId: 'b1', body: 'b1' },
      { groupId: 'enr-b', dedupId: 'b2', body: 'b2' },
    ]);
    await queue.idle();
    assert.deepEqual(seen.map((s) => s.body).sort(), ['a1', 'b1', 'b2']);
    assert.equal(queue.size(), 2);
  });

  it('honours changeVisibility: a failed message comes back after the delay the handler chose', async () => {
    const { clock, queue, seen } = setUp({ fail: (r) => (r.attributes.ApproximateReceiveCount === '1' ? 10 : false) });
    const start = clock.now();
    await queue.send([{ groupId: 'enr-a', dedupId: 'evt_1', body: 'a1' }]);
    await queue.idle();
    clock.advance(9_999);
    await queue.idle();
    assert.equal(seen.length, 1);
    clock.advance(1);
    await queue.drain();
    assert.deepEqual(seen.map((s) => [s.receiveCount, s.at - start]), [[1, 0], [2, 10_000]]);
  });

  it('takes a handler that throws as a failure of the whole batch', async () => {
    const clock = manualClock();
    let calls = 0;
    const errors: unknown[] = [];
    const queue = new LocalFifoQueue({
      clock,
      onHandlerError: (error) => errors.push(error),
      handler: async () => {
        if (calls++ === 0) throw new Error('boom');
      },
    });
    await queue.send([{ groupId: 'a', dedupId: '1', body: 'x' }, { groupId: 'b', dedupId: '2', body: 'y' }]);
    await queue.idle();
    assert.equal(queue.size(), 2);
    assert.equal(errors.length, 1);
    clock.advance(30_000);
    await queue.drain();
    assert.equal(calls, 2);
  });

  it('drops a copy sent within 5 minutes under the same dedupId, and accepts it after', async () => {
    const { clock, queue, seen } = setUp();
    await queue.send([{ groupId: 'enr-a', dedupId: 'evt_1', body: 'first' }]);
    await queue.send([{ groupId: 'enr-a', dedupId: 'evt_1', body: 'copy' }]);
    await queue.idle();
    clock.advance(5 * 60_000 - 1);
    await queue.send([{ groupId: 'enr-a', dedupId: 'evt_1', body: 'copy' }]);
    await queue.idle();
    clock.advance(1);
    await queue.send([{ groupId: 'enr-a', dedupId: 'evt_1', body: 'replay' }]);
    await queue.idle();
    assert.deepEqual(seen.map((s) => s.body), ['first', 'replay']);
  });

  it('moves a message to the dead letters after maxReceiveCount receives, and the group goes on', async () => {
    const { clock, queue, seen } = setUp({ fail: (r) => r.body === 'poison', maxReceiveCount: 3, visibilityTimeoutSeconds: 5 });
    await queue.send([{ groupId: 'enr-a', dedupId: '1', body: 'poison' }, { groupId: 'enr-a', dedupId: '2', body: 'next' }]);
    for (let i = 0; i < 3; i++) {
      await queue.idle();
      clock.advance(5_000);
    }
    await queue.drain();
    assert.deepEqual(seen.map((s) => s.body), ['poison', 'poison', 'poison', 'next']);
    assert.deepEqual(queue.deadLetters.map((d) => [d.body, d.receiveCount]), [['poison', 3]]);
  });

  it('refuses a visibility change beyond 12 hours, or for a message that is no longer in flight', async () => {
    let handle = '';
    let tooLong: unknown;
    const queue: LocalFifoQueue = new LocalFifoQueue({
      clock: manualClock(),
      handler: async (event) => {
        handle = event.Records[0]!.receiptHandle;
        tooLong = await queue.changeVisibility(handle, 12 * 60 * 60 + 1).catch((error: unknown) => error);
      },
    });
    await queue.send([{ groupId: 'g', dedupId: 'd', body: 'b' }]);
    await queue.idle();
    assert.ok(tooLong instanceof Error);
    assert.equal(queue.size(), 0);
    await assert.rejects(queue.changeVisibility(handle, 10), /not in flight/);
  });
});
