import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeliveryMessage, DeliveryQueue } from '../../services/ports.ts';
import { systemClock } from './clock.ts';
import type { Clock, Timer } from './clock.ts';

/**
 * LocalFifoQueue: the local stand-in for an SQS FIFO queue and Lambda's event source mapping on
 * it (no SQS emulator installs here). It keeps what the feed relies on:
 * - order per message group: a group's next message is delivered only once the one before it is
 *   deleted (one in-flight message per group); groups are independent;
 * - a received message is hidden for the visibility timeout (or what `changeVisibility` set) and,
 *   if the handler did not succeed with it, delivered again after that, with a higher receive count;
 * - deduplication by `dedupId` over 5 minutes, as SQS does;
 * - partial batch responses (`batchItemFailures`), a handler that throws failing the whole batch;
 * - optionally a redrive policy: after `maxReceiveCount` receives, the message moves to `deadLetters`.
 * Time comes from an injectable clock, so tests move it on instead of sleeping.
 */
export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export type LocalFifoQueueOptions = {
  handler?: SqsHandler;
  clock?: Clock;
  /** The queue's default visibility timeout (SQS: 30 s). */
  visibilityTimeoutSeconds?: number;
  /** Records per handler invocation, each from a different group (Lambda on SQS FIFO: up to 10). */
  batchSize?: number;
  /** Handler invocations at once. */
  concurrency?: number;
  maxReceiveCount?: number;
  queueArn?: string;
  /** Told when the handler throws (the batch is then failed as a whole). */
  onHandlerError?: (error: unknown) => void;
};

const DEDUP_WINDOW_MS = 5 * 60_000;
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

type Message = DeliveryMessage & {
  messageId: string;
  sequenceNumber: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  visibleAt: number;
  receiptHandle?: string;
  handling: boolean;
};

export class LocalFifoQueue implements DeliveryQueue {
  /** Messages moved out by the redrive policy, oldest first. */
  readonly deadLetters: (DeliveryMessage & { messageId: string; receiveCount: number })[] = [];
  private handler: SqsHandler | undefined;
  private readonly clock: Clock;
  private readonly options: Required<Omit<LocalFifoQueueOptions, 'handler' | 'clock' | 'maxReceiveCount' | 'onHandlerError'>> &
    Pick<LocalFifoQueueOptions, 'maxReceiveCount' | 'onHandlerError'>;
  private readonly groups = new Map<string, Message[]>();
  private readonly dedup = new Map<string, number>();
  private running = 0;
  private sequence = 0;
  private timer: { at: number; timer: Timer } | undefined;
  private waiters: { done: () => boolean; resolve: () => void }[] = [];

  constructor(options: LocalFifoQueueOptions = {}) {
    this.handler = options.handler;
    this.clock = options.clock ?? systemClock;
    this.options = {
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
      batchSize: options.batchSize ?? 10,
      concurrency: options.concurrency ?? 2,
      queueArn: options.queueArn ?? 'arn:aws:sqs:us-east-1:000000000000:feed-deliveries.fifo',
      maxReceiveCount: options.maxReceiveCount,
      onHandlerError: options.onHandlerError,
    };
  }

  /** The function the queue delivers to (set after construction when the handler needs the queue). */
  setHandler(handler: SqsHandler): void {
    this.handler = handler;
    this.pump();
  }

  async send(messages: DeliveryMessage[]): Promise<void> {
    const now = this.clock.now();
    for (const [dedupId, at] of this.dedup) if (now - at >= DEDUP_WINDOW_MS) this.dedup.delete(dedupId);
    for (const message of messages) {
      if (this.dedup.has(message.dedupId)) continue; // SQS accepts it and delivers nothing
      this.dedup.set(message.dedupId, now);
      const group = this.groups.get(message.groupId) ?? [];
      group.push({ ...message, messageId: randomUUID(), sequenceNumber: String(++this.sequence).padStart(20, '0'), sentAt: now, receiveCount: 0, visibleAt: now, handling: false });
      this.groups.set(message.groupId, group);
    }
    this.pump();
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) throw new Error(`a visibility timeout is 0 to ${MAX_VISIBILITY_SECONDS} seconds`);
    const message = this.inFlight().find((m) => m.receiptHandle === receiptHandle);
    if (!message) throw new Error('the message is not in flight (its receipt handle is not current)');
    message.visibleAt = this.clock.now() + seconds * 1000;
    this.pump();
  }

  /** Messages not yet deleted, in flight or waiting. */
  size(): number {
    return [...this.groups.values()].reduce((sum, group) => sum + group.length, 0);
  }

  /** Resolves when no handler runs and no message is visible now (what remains waits for its visibility to end). */
  idle(): Promise<void> {
    return this.until(() => this.running === 0 && (!this.handler || this.deliverable().length === 0));
  }

  /** Resolves when every message has been deleted or dead-lettered (with a manual clock, move time on meanwhile). */
  drain(): Promise<void> {
    return this.until(() => this.running === 0 && this.size() === 0);
  }

  private until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ done, resolve }));
  }

  private settle(): void {
    const ready = this.waiters.filter((w) => w.done());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }

  /** Received and not visible again yet: their receipt handles are current. */
  private inFlight(): Message[] {
    const now = this.clock.now();
    return [...this.groups.values()].map((group) => group[0]!).filter((m) => m.receiptHandle !== undefined && (m.handling || m.visibleAt > now));
  }

  /** Each group's head, if visible now and not being handled. */
  private deliverable(): Message[] {
    const now = this.clock.now();
    return [...this.groups.values()].map((group) => group[0]!).filter((m) => !m.handling && m.visibleAt <= now);
  }

  private pump(): void {
    while (this.handler && this.running < this.options.concurrency) {
      const batch = this.deliverable().slice(0, this.options.batchSize);
      if (batch.length === 0) break;
      this.running++;
      void this.deliver(this.handler, batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
    this.scheduleNextVisibility();
    this.settle();
  }

  private scheduleNextVisibility(): void {
    const now = this.clock.now();
    const waiting = [...this.groups.values()].map((group) => group[0]!).filter((m) => !m.handling && m.visibleAt > now);
    const at = waiting.length === 0 ? undefined : Math.min(...waiting.map((m) => m.visibleAt));
    if (this.timer && this.timer.at === at) return;
    this.timer?.timer.cancel();
    this.timer = at === undefined ? undefined : { at, timer: this.clock.setTimer(() => ((this.timer = undefined), this.pump()), at - now) };
  }

  private async deliver(handler: SqsHandler, batch: Message[]): Promise<void> {
    const now = this.clock.now();
    const records = batch.map((message) => {
      message.handling = true;
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.options.visibilityTimeoutSeconds * 1000;
      message.receiptHandle = `${message.messageId}#${message.receiveCount}`;
      return this.recordOf(message);
    });
    let failed: Set<string>;
    try {
      const response = await handler({ Records: records });
      const ids = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      // Lambda fails the whole batch when a reported id is not one of its records.
      failed = ids.some((id) => !batch.some((m) => m.messageId === id)) ? new Set(batch.map((m) => m.messageId)) : new Set(ids);
    } catch (error) {
      this.options.onHandlerError?.(error);
      failed = new Set(batch.map((m) => m.messageId));
    }
    for (const message of batch) {
      message.handling = false;
      const group = this.groups.get(message.groupId)!;
      if (!failed.has(message.messageId)) this.remove(group, message);
      else if (this.options.maxReceiveCount !== undefined && message.receiveCount >= this.options.maxReceiveCount) {
        this.remove(group, message);
        this.deadLetters.push({ groupId: message.groupId, dedupId: message.dedupId, body: message.body, messageId: message.messageId, receiveCount: message.receiveCount });
      }
    }
  }

  private remove(group: Message[], message: Message): void {
    group.splice(group.indexOf(message), 1);
    if (group.length === 0) this.groups.delete(message.groupId);
  }

  private recordOf(message: Message): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle!,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
        SequenceNumber: message.sequenceNumber,
        MessageGroupId: message.groupId,
        MessageDeduplicationId: message.dedupId,
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.queueArn.split(':')[3] ?? 'us-east-1',
    };
  }
}
