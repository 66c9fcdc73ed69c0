/**
 * The feed's local runtime (npm start, tests): the same handlers as in AWS, on clearly named
 * stand-ins for what has no emulator here —
 * - LocalStreamPoller on the feed table's stream → functions/feed-enqueue's handler
 *   (and, when given, on the enrollments table's stream → the capture handler);
 * - LocalFifoQueue (the SQS FIFO `feed-deliveries.fifo` and Lambda's event source on it) →
 *   functions/feed-sender's handler;
 * - LocalEventBus (the stage's EventBridge bus);
 * - the redrive run in process (Lambda's asynchronous invocation of functions/feed-redrive);
 * - a local schedule for the expiry handler, when given (EventBridge's rate(1 minute));
 * - the queue on an http://127.0.0.1 port, for serverless-offline's process (localHttpDeliveryQueue).
 * Time for the queue's visibility and the retry schedule comes from `clock` (tests move it on).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '#lib/adapters/dynamodb/client.ts';
import { createFeedDeliveryStore } from '#lib/adapters/dynamodb/feed-delivery-store.ts';
import { systemClock } from '#lib/adapters/local/clock.ts';
import type { Clock, Timer } from '#lib/adapters/local/clock.ts';
import { LocalEventBus } from '#lib/adapters/local/event-bus.ts';
import { LocalFifoQueue } from '#lib/adapters/local/fifo-queue.ts';
import { LocalStreamPoller } from '#lib/adapters/local/stream-poller.ts';
import type { StreamFailure, StreamHandler } from '#lib/adapters/local/stream-poller.ts';
import { localDevelopmentSealer } from '#lib/adapters/secrets/credential-sealer.ts';
import { sendWebhook } from '#lib/adapters/webhooks/send.ts';
import type { FeedOutcomeObserver, FeedRedriveJob } from '#lib/services/feed-delivery-ports.ts';
import { feedEnqueueHandler } from '../../functions/feed-enqueue/worker.ts';
import { feedRedriveHandler } from '../../functions/feed-redrive/worker.ts';
import { feedSenderHandler } from '../../functions/feed-sender/worker.ts';

export type FeedRuntimeOptions = {
  /** DynamoDB Local's endpoint. */
  endpoint: string;
  /** The table names (FEED_TABLE, ENROLLMENTS_TABLE). */
  tables: { feed: string; enrollments?: string };
  clock?: Clock;
  /** The capture handler (functions/feed-capture) on the enrollments table's stream. */
  capture?: StreamHandler;
  /** The expiry handler (functions/feed-expiry), run every `everyMs` of `clock`. */
  expiry?: { handler: () => Promise<unknown>; everyMs: number };
  /** Serve the queue on 127.0.0.1 (0: any free port). */
  httpPort?: number;
  /** The send timeout (10 s, as in AWS, unless a test asks for less). */
  sendTimeoutMs?: number;
  log?: (line: string) => void;
  /** The sender's and the enqueue's results, as in AWS (functions/feed-sender: EMF lines through feedOutcomeMetrics). */
  observe?: FeedOutcomeObserver;
};

export type FeedRuntime = {
  queue: LocalFifoQueue;
  bus: LocalEventBus;
  /** http://127.0.0.1:<port>/ when `httpPort` was given: FEED_DELIVERY_QUEUE_URL for serverless-offline. */
  queueUrl?: string;
  /** What the streams' on-failure destinations received (poison records). */
  streamFailures: StreamFailure[];
  /** Runs a redrive (every step, as Lambda would chain them); without a nonce, a fresh one. */
  redrive(job: FeedRedriveJob extends infer J ? (J extends { nonce: string } ? Omit<J, 'nonce'> & { nonce?: string } : never) : never): Promise<void>;
  /** Resolves once every stream is read, every redrive done and nothing in the queue is visible now. */
  drained(): Promise<void>;
  stop(): Promise<void>;
};

export async function startFeedRuntime(options: FeedRuntimeOptions): Promise<FeedRuntime> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const db = createDocumentClient({ region: 'us-east-1', endpoint: options.endpoint, requestTimeoutMs: 10_000 });
  const storeFor = (scope: string) => createFeedDeliveryStore(db, options.tables.feed, scope);
  const deliveryLog = (message: string, fields: Record<string, unknown>) => log(`${message} ${JSON.stringify(fields)}`);
  const bus = new LocalEventBus(log);
  // serverless.yml: visibility timeout 70 s, maxReceiveCount 100, batches of 10.
  const queue = new LocalFifoQueue({ clock, visibilityTimeoutSeconds: 70, batchSize: 10, maxReceiveCount: 100, onHandlerError: (error) => log(`feed-sender threw: ${(error as Error).name}`) });
  let activity = 0;
  const counted = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A) => (activity++, fn(...args));

  const sender = feedSenderHandler({
    storeFor,
    queue,
    now: () => clock.now(),
    log: deliveryLog,
    ...(options.observe ? { observe: options.observe } : {}),
    openSecret: (schoolId, sealed) => localDevelopmentSealer.open(schoolId, sealed),
    send: (delivery) => sendWebhook(delivery, { local: true, ...(options.sendTimeoutMs ? { timeoutMs: options.sendTimeoutMs } : {}) }),
  });
  queue.setHandler(counted(sender));

  const redrives = new Set<Promise<unknown>>();
  const redriveStep = feedRedriveHandler({ storeFor, queue, now: () => clock.now(), launch: async (job) => void launch(job) }, { debug() {}, info() {}, warn() {}, error() {} });
  const launch = (job: FeedRedriveJob) => {
    activity++;
    const run = redriveStep(job, { getRemainingTimeInMillis: () => 60_000 }).catch((error: Error) => log(`feed-redrive failed: ${error.name}`));
    redrives.add(run);
    void run.finally(() => redrives.delete(run));
    return run;
  };

  const enqueue = feedEnqueueHandler({ storeFor, queue, bus, now: () => clock.now(), log: deliveryLog, ...(options.observe ? { observe: options.observe } : {}) });
  const streamFailures: StreamFailure[] = [];
  const poller = (tableName: string, handler: StreamHandler) =>
    new LocalStreamPoller({
      tableName,
      endpoint: options.endpoint,
      startingPosition: 'LATEST',
      maximumRetryAttempts: 3,
      handler: async (event: DynamoDBStreamEvent) => (event.Records.some((r) => r.eventName === 'INSERT') && activity++, handler(event)),
      onFailure: (failure) => void streamFailures.push(failure),
      onError: (error) => log(`stream ${tableName}: ${(error as Error).name}`),
    });
  const pollers = [poller(options.tables.feed, enqueue), ...(options.capture && options.tables.enrollments ? [poller(options.tables.enrollments, options.capture)] : [])];
  await Promise.all(pollers.map((p) => p.start()));

  let expiryTimer: Timer | undefined;
  const expiryRuns = new Set<Promise<unknown>>();
  const scheduleExpiry = () => {
    if (!options.expiry) return;
    expiryTimer = clock.setTimer(() => {
      const run = options.expiry!.handler().catch((error: Error) => log(`feed-expiry failed: ${error.name}`));
      expiryRuns.add(run);
      void run.finally(() => expiryRuns.delete(run));
      scheduleExpiry();
    }, options.expiry.everyMs);
  };
  scheduleExpiry();

  const server = options.httpPort === undefined ? undefined : createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const action = request.url === '/send' ? queue.send(body.messages) : request.url === '/visibility' ? queue.changeVisibility(body.receiptHandle, body.seconds) : Promise.reject(new Error('no such route'));
      action.then(() => response.writeHead(204).end(), () => response.writeHead(400).end());
    });
  });
  if (server) await new Promise<void>((resolve) => server.listen(options.httpPort, '127.0.0.1', resolve));

  return {
    queue,
    bus,
    ...(server ? { queueUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` } : {}),
    streamFailures,
    redrive: (job) => launch({ ...job, nonce: job.nonce ?? randomUUID() } as FeedRedriveJob).then(async () => {
      while (redrives.size > 0) await Promise.all([...redrives]);
    }),
    async drained() {
      for (;;) {
        const before = activity;
        await Promise.all(pollers.map((p) => p.idle()));
        while (redrives.size > 0 || expiryRuns.size > 0) await Promise.all([...redrives, ...expiryRuns]);
        await queue.idle();
        if (activity === before) return;
      }
    },
    async stop() {
      expiryTimer?.cancel();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await Promise.all(pollers.map((p) => p.stop()));
      db.destroy();
    },
  };
}
