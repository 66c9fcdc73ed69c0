import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createDocumentClient } from '#lib/adapters/dynamodb/client.ts';
import { manualClock } from '#lib/adapters/local/clock.ts';
import type { ManualClock } from '#lib/adapters/local/clock.ts';
import { startFeedRuntime } from '../../scripts/local/feed-runtime.ts';
import type { FeedRuntime, FeedRuntimeOptions } from '../../scripts/local/feed-runtime.ts';
import { feedStore } from './feed-store.ts';
import { createTestStack } from './stack.ts';

/**
 * The feed's local runtime in process, on fresh tables, with a manual clock (retries and the 25 h
 * schedule pass without waiting). `settle()` moves the clock to each due retry until the queue is
 * empty or `maxMs` of clock time has passed, waiting for readiness, never sleeping.
 */
export async function startTestFeedRuntime(options: Partial<Pick<FeedRuntimeOptions, 'capture' | 'expiry' | 'httpPort' | 'observe'>> = {}) {
  const { endpoint, tables } = await createTestStack();
  const clock: ManualClock = manualClock(Date.now());
  const runtime: FeedRuntime = await startFeedRuntime({ endpoint, tables: { feed: tables.FEED_TABLE!, enrollments: tables.ENROLLMENTS_TABLE! }, clock, sendTimeoutMs: 2000, ...options });
  const db = createDocumentClient({ region: 'us-east-1', endpoint, requestTimeoutMs: 10_000 });
  return {
    runtime,
    clock,
    db,
    table: tables.FEED_TABLE!,
    store: feedStore(db, tables.FEED_TABLE!),
    /** Every due retry, in clock order, until nothing is queued or `maxMs` of clock time passed. */
    async settle(maxMs = 0) {
      const until = clock.now() + maxMs;
      await runtime.drained();
      for (;;) {
        const next = clock.nextTimerAt();
        if (runtime.queue.size() === 0 || next === undefined || next > until) return;
        clock.advance(next - clock.now());
        await runtime.queue.idle(); // moving the clock on only makes queued messages visible
      }
      await runtime.drained();
    },
    async stop() {
      await runtime.stop();
      db.destroy();
    },
  };
}

export type Delivery = { id: string; type: string; sequence: number; email: string; status: number; verified: boolean; verifiedBy: boolean[]; body: string; headers: Record<string, string> };

/**
 * A platform's endpoint on 127.0.0.1: `answer` picks each delivery's status (it sees the event and
 * how many deliveries came before); every delivery is verified with the `standardwebhooks` package,
 * with `secret` (a 401 when that fails; a function: read at each delivery, e.g. once a PUT returned it) and each of `alsoCheck` (recorded in `verifiedBy`, `secret` first).
 */
export async function startReceiver(secret: string | (() => string), answer: (event: { id: string; type: string; sequence: number }, count: number) => number = () => 200, alsoCheck: string[] = []) {
  const webhooks = () => [typeof secret === 'function' ? secret() : secret, ...alsoCheck].map((s) => new Webhook(s));
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const verifiedBy = webhooks().map((webhook) => {
        try {
          webhook.verify(raw, request.headers as Record<string, string>);
          return true;
        } catch {
          return false;
        }
      });
      const verified = verifiedBy[0]!;
      const event = JSON.parse(raw) as { id: string; type: string; sequence: number; enrollment: { email: string } };
      const status = verified ? answer(event, deliveries.length) : 401;
      deliveries.push({ id: event.id, type: event.type, sequence: event.sequence, email: event.enrollment.email, status, verified, verifiedBy, body: raw, headers: request.headers as Record<string, string> });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    deliveries,
    /** The deliveries answered 2xx. */
    accepted: () => deliveries.filter((d) => d.status >= 200 && d.status < 300),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
