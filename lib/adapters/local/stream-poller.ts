import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import type { _Record, Shard } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaRecordOf } from './stream-records.ts';

/**
 * LocalStreamPoller: the local stand-in for Lambda's DynamoDB Streams event source mapping, reading
 * DynamoDB Local's stream (ListStreams, DescribeStream, GetShardIterator, GetRecords) and calling
 * the real handler with `{Records}` as Lambda delivers them. As the feed's functions are configured
 * in AWS (ReportBatchItemFailures, a finite maximumRetryAttempts, bisectBatchOnFunctionError, an
 * on-failure destination):
 * - records of a shard go in order, one batch at a time; new shards are followed, a child after its parent;
 * - `batchItemFailures` checkpoints before the first failed record and retries from it;
 * - a handler that throws fails the batch: a batch of several records is split in two and retried
 *   (the bisection, not counted as a retry), a single record is retried;
 * - after `maximumRetryAttempts` retries the failing record's metadata goes to `onFailure` (as
 *   Lambda's on-failure destination gets it: no record body) and the shard moves on.
 * Retries follow at once (Lambda backs off a little); records are read every `pollIntervalMs`.
 */
export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

/** What Lambda's on-failure destination receives for a stream batch that exhausted its retries. */
export type StreamFailure = {
  requestContext: { condition: 'RetryAttemptsExhausted'; approximateInvokeCount: number };
  timestamp: string;
  DDBStreamBatchInfo: { shardId: string; startSequenceNumber: string; endSequenceNumber: string; batchSize: number; streamArn: string };
};

export type LocalStreamPollerOptions = {
  tableName: string;
  handler: StreamHandler;
  /** DynamoDB Local's endpoint (or pass `client`). */
  endpoint?: string;
  client?: DynamoDBStreamsClient;
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  batchSize?: number;
  maximumRetryAttempts?: number;
  onFailure?: (failure: StreamFailure) => void | Promise<void>;
  /** Told of a failed poll (DynamoDB Local down...) and of a handler that threw; polling goes on. */
  onError?: (error: unknown) => void;
  pollIntervalMs?: number;
  /**
   * How long every shard must read empty before `idle()` counts the poller caught up: DynamoDB
   * Local publishes a record 25–300 ms after its write.
   */
  quietMs?: number;
};

type ShardState = {
  shardId: string;
  parentShardId?: string;
  iterator?: string;
  lastSequence?: string;
  buffer: DynamoDBRecord[];
  attempts: number;
  /** Set while a thrown batch is being bisected. */
  limit?: number;
  done: boolean;
};

export class LocalStreamPoller {
  private readonly options: Required<Omit<LocalStreamPollerOptions, 'endpoint' | 'client' | 'onFailure' | 'onError'>> & Pick<LocalStreamPollerOptions, 'onFailure' | 'onError'>;
  private readonly client: DynamoDBStreamsClient;
  private readonly ownsClient: boolean;
  private streamArn = '';
  private shards = new Map<string, ShardState>();
  private running: Promise<void> | undefined;
  private stopped = false;
  private emptySince: number | undefined;
  private lastRefresh = 0;
  private waiters: { calledAt: number; resolve: () => void }[] = [];

  constructor(options: LocalStreamPollerOptions) {
    this.options = {
      tableName: options.tableName,
      handler: options.handler,
      startingPosition: options.startingPosition ?? 'TRIM_HORIZON',
      batchSize: options.batchSize ?? 100,
      maximumRetryAttempts: options.maximumRetryAttempts ?? 2,
      pollIntervalMs: options.pollIntervalMs ?? 50,
      quietMs: options.quietMs ?? 500,
      onFailure: options.onFailure,
      onError: options.onError,
    };
    this.ownsClient = !options.client;
    this.client =
      options.client ?? new DynamoDBStreamsClient({ endpoint: options.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  }

  /** Finds the table's stream and fixes the starting position; records are then delivered in the background. */
  async start(): Promise<void> {
    const { Streams } = await this.client.send(new ListStreamsCommand({ TableName: this.options.tableName }));
    const arn = Streams?.at(-1)?.StreamArn;
    if (!arn) throw new Error(`the table ${this.options.tableName} has no stream (StreamSpecification)`);
    this.streamArn = arn;
    await this.refreshShards(this.options.startingPosition);
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    for (const waiter of this.waiters) waiter.resolve();
    if (this.ownsClient) this.client.destroy();
  }

  /** Resolves once the poller has caught up with everything written before the call (every shard read empty for `quietMs`). */
  idle(): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ calledAt: Date.now(), resolve }));
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let busy = false;
      try {
        if (Date.now() - this.lastRefresh >= 1000) await this.refreshShards('TRIM_HORIZON');
        for (const shard of this.shards.values()) if (!shard.done && this.parentDone(shard)) busy = (await this.poll(shard)) || busy;
      } catch (error) {
        this.options.onError?.(error);
      }
      const now = Date.now();
      this.emptySince = busy ? undefined : (this.emptySince ?? now);
      const caughtUp = this.waiters.filter((w) => this.emptySince !== undefined && now - Math.max(this.emptySince, w.calledAt) >= this.options.quietMs);
      this.waiters = this.waiters.filter((w) => !caughtUp.includes(w));
      for (const waiter of caughtUp) waiter.resolve();
      if (!busy) await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs));
    }
  }

  private parentDone(shard: ShardState): boolean {
    const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
    return !parent || parent.done;
  }

  /** Adds the shards not known yet: at `position` on the first call, from their start later (a new shard holds only new records). */
  private async refreshShards(position: 'TRIM_HORIZON' | 'LATEST'): Promise<void> {
    const first = this.shards.size === 0;
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.client.send(new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }));
      all.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const shard of all) {
      const shardId = shard.ShardId!;
      if (this.shards.has(shardId)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      const state: ShardState = { shardId, parentShardId: shard.ParentShardId, buffer: [], attempts: 0, done: false };
      if (first && position === 'LATEST' && closed) state.done = true; // nothing after "now" in a closed shard
      else state.iterator = await this.iterator(shardId, first ? position : 'TRIM_HORIZON');
      this.shards.set(shardId, state);
    }
    this.lastRefresh = Date.now();
  }

  private async iterator(shardId: string, type: 'TRIM_HORIZON' | 'LATEST' | 'AFTER_SEQUENCE_NUMBER', after?: string): Promise<string | undefined> {
    const { ShardIterator } = await this.client.send(
      new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: type, ...(after ? { SequenceNumber: after } : {}) }),
    );
    return ShardIterator;
  }

  /** Handles the shard's buffered records, or reads more; true if it did anything. */
  private async poll(shard: ShardState): Promise<boolean> {
    if (shard.buffer.length > 0) {
      await this.invoke(shard);
      return true;
    }
    if (!shard.iterator) {
      shard.done = true;
      return false;
    }
    let result: { Records?: _Record[]; NextShardIterator?: string };
    try {
      result = await this.client.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
    } catch (error) {
      // DynamoDB Local also refuses, as trimmed, an iterator taken while its shard was still empty: take it again.
      if (!['ExpiredIteratorException', 'TrimmedDataAccessException'].includes((error as { name?: string }).name ?? '')) throw error;
      shard.iterator = await this.iterator(shard.shardId, shard.lastSequence ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON', shard.lastSequence);
      return true;
    }
    const records = (result.Records ?? []).map((record) => lambdaRecordOf(record, this.streamArn));
    shard.buffer.push(...records);
    shard.lastSequence = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.lastSequence;
    shard.iterator = result.NextShardIterator;
    if (!shard.iterator && records.length === 0) shard.done = true;
    return records.length > 0;
  }

  private async invoke(shard: ShardState): Promise<void> {
    const batch = shard.buffer.slice(0, shard.limit ?? this.options.batchSize);
    let failedAt: number | undefined;
    let threw = false;
    try {
      const response = await this.options.handler({ Records: batch });
      const ids = (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
      const indexes = ids.map((id) => batch.findIndex((record) => record.dynamodb?.SequenceNumber === id));
      if (indexes.length > 0) failedAt = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes); // an unknown id fails the whole batch, as in Lambda
    } catch (error) {
      this.options.onError?.(error);
      failedAt = 0;
      threw = true;
    }
    if (failedAt === undefined) {
      shard.buffer.splice(0, batch.length);
      shard.attempts = 0;
      shard.limit = undefined;
      return;
    }
    if (threw && batch.length > 1) {
      shard.limit = Math.ceil(batch.length / 2); // bisect: find the record that throws
      return;
    }
    shard.buffer.splice(0, failedAt);
    shard.attempts = failedAt > 0 ? 1 : shard.attempts + 1;
    if (shard.attempts <= this.options.maximumRetryAttempts) return;
    const [poison] = shard.buffer.splice(0, 1);
    shard.attempts = 0;
    shard.limit = undefined;
    const sequence = poison!.dynamodb!.SequenceNumber!;
    await this.options.onFailure?.({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: this.options.maximumRetryAttempts + 1 },
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: { shardId: shard.shardId, startSequenceNumber: sequence, endSequenceNumber: sequence, batchSize: 1, streamArn: this.streamArn },
    });
  }
}
