/**
 * The feed (issue 13): delivery latency from the webhook's answer to a platform's endpoint on
 * 127.0.0.1 receiving the enrollment.granted, through the local path npm start runs — the webhook
 * handler → DynamoDB Local → LocalStreamPoller → functions/feed-capture → feed table stream →
 * feed-enqueue → LocalFifoQueue → feed-sender → HTTP; and the write units the feed adds, from item
 * sizes per DynamoDB's rules on items read back from the tables.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { ScanCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StreamHandler } from '#lib/adapters/local/stream-poller.ts';
import { startFeedRuntime } from '../../scripts/local/feed-runtime.ts';
import { apiEvent, lambdaContext, purchase, SCHOOL } from './stack.ts';
import type { BenchStack } from './stack.ts';
import { median, percentile } from './stats.ts';

/** LocalStreamPoller's defaults (lib/adapters/local/stream-poller.ts), which the feed runtime keeps. */
export const POLLER = { pollIntervalMs: 50, quietMs: 500 };
export const SEQUENTIAL = 50;
export const BURST = 20;

export type FeedTiming = { n: number; p50: number; p99: number; max: number };
/** An item's size, its write units (1 per KB), and the KEYS_ONLY indexes it is in (feed table: bySchool, byStudent, cross-school-access-ends). */
export type ItemUnits = { bytes: number; units: number; indexes?: number };
export type FeedFigures = {
  sequential: FeedTiming;
  burst: FeedTiming;
  poller: { pollIntervalMs: number; quietMs: number };
  captureMs: number;
  /** The enrollment item as committed, without and with `lastCause`. */
  enrollment: { without: ItemUnits; with: ItemUnits; lastCauseBytes: number };
  /** What DynamoDB Local reports (ReturnConsumedCapacity INDEXES) for a TransactWriteItems Put of that item under a fresh key, without and with `lastCause`. */
  localReports: { without: number; with: number };
  /** Deliveries the receiver could not verify with the PUT's secret (standardwebhooks). */
  unverified: number;
  event: ItemUnits;
  state: ItemUnits;
};

/** An attribute value's size per DynamoDB's rules (docs: "Item sizes and formats"). */
export function valueBytes(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.N !== undefined) {
    const digits = v.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((a, s) => a + Buffer.byteLength(s, 'utf8'), 0);
  if (v.NS) return v.NS.reduce((a, n) => a + valueBytes({ N: n }), 0);
  if (v.L) return 3 + v.L.reduce((a, x) => a + 1 + valueBytes(x), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((a, [k, x]) => a + 1 + Buffer.byteLength(k, 'utf8') + valueBytes(x), 0);
  return 0;
}
export const itemBytes = (item: Record<string, AttributeValue>) => Object.entries(item).reduce((a, [k, v]) => a + Buffer.byteLength(k, 'utf8') + valueBytes(v), 0);
const units = (bytes: number): ItemUnits => ({ bytes, units: Math.ceil(bytes / 1024) });

async function scan(stack: BenchStack, table: string) {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await stack.raw.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function measureFeed(stack: BenchStack): Promise<FeedFigures> {
  const received = new Map<string, number>();
  let webhook: Webhook | undefined;
  let unverified = 0;
  const waiting = new Map<string, () => void>();
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const at = performance.now();
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        webhook!.verify(raw, request.headers as Record<string, string>);
      } catch {
        unverified++;
      }
      const event = JSON.parse(raw);
      if (event.type === 'enrollment.granted') {
        received.set(event.enrollment.email, at);
        waiting.get(event.enrollment.email)?.();
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  const captureTimes: number[] = [];
  const capture = (async (event) => {
    const { handler } = await import('../../functions/feed-capture/handler.ts');
    const t = performance.now();
    const result = await handler(event);
    captureTimes.push(performance.now() - t);
    return result;
  }) as StreamHandler;
  const runtime = await startFeedRuntime({ endpoint: stack.endpoint, tables: { feed: stack.env.FEED_TABLE!, enrollments: stack.env.ENROLLMENTS_TABLE! }, capture });
  try {
    const { handler: feedHandler } = await import('../../functions/feed/handler.ts');
    const path = `/schools/${SCHOOL}/feed`;
    const put = await feedHandler(
      {
        version: '2.0',
        routeKey: 'PUT /schools/{schoolId}/feed',
        rawPath: path,
        rawQueryString: '',
        headers: { 'content-type': 'application/json' },
        pathParameters: { schoolId: SCHOOL },
        requestContext: { http: { method: 'PUT', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' } },
        body: JSON.stringify({ url }),
        isBase64Encoded: false,
      } as never,
      lambdaContext as never,
    );
    if (put.statusCode !== 201 && put.statusCode !== 200) throw new Error(`PUT feed answered ${put.statusCode} ${put.body}`);
    webhook = new Webhook(JSON.parse(put.body!).secret);
    const { handler: hotmartWebhook } = await import('../../functions/webhook/handler.ts');

    const deliver = async () => {
      const body = purchase();
      const email = body.data.buyer.email;
      const arrived = new Promise<void>((resolve) => waiting.set(email, resolve));
      const response = await hotmartWebhook(apiEvent(body) as never, lambdaContext as never);
      const answeredAt = performance.now();
      if (JSON.parse(response.body ?? '{}').status !== 'processed') throw new Error(`webhook answered ${response.body}`);
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no enrollment.granted for ${email} in 30 s`)), 30_000).unref());
      await Promise.race([arrived, timeout]);
      return received.get(email)! - answeredAt;
    };
    // Warm-up: the handlers' imports, the first stream read.
    for (let i = 0; i < 3; i++) await deliver();
    const sequential: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) sequential.push(await deliver());
    const burst = await Promise.all(Array.from({ length: BURST }, deliver));
    const timing = (xs: number[]): FeedTiming => ({ n: xs.length, p50: median(xs), p99: percentile(xs, 99), max: Math.max(...xs) });

    // Item sizes, from items as committed.
    const enrollments = (await scan(stack, stack.env.ENROLLMENTS_TABLE!)).filter((i) => i.lastCause && i.sk?.S?.startsWith('TARGET#'));
    const enrollment = enrollments.reduce((a, b) => (itemBytes(a) >= itemBytes(b) ? a : b));
    const { lastCause, ...withoutCause } = enrollment;
    const feedItems = await scan(stack, stack.env.FEED_TABLE!);
    const largest = (items: Record<string, AttributeValue>[]) => {
      const item = items.reduce((a, b) => (itemBytes(a) >= itemBytes(b) ? a : b));
      return { ...units(itemBytes(item)), indexes: ['schoolShard', 'studentKey', 'accessEndsKey'].filter((k) => item[k]).length };
    };
    await runtime.stop(); // before the replay below, whose writes the capture must not see
    const consumed = async (item: Record<string, AttributeValue>) => {
      const fresh = { ...item, pk: { S: `${item.pk!.S}-units-${Object.keys(item).length}` } };
      const out = await stack.raw.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: stack.env.ENROLLMENTS_TABLE!, Item: fresh } }], ReturnConsumedCapacity: 'INDEXES' }));
      return (out.ConsumedCapacity ?? []).reduce((a, c) => a + (c.CapacityUnits ?? 0), 0);
    };
    const localReports = { without: await consumed(withoutCause), with: await consumed(enrollment) };
    return {
      localReports,
      unverified,
      sequential: timing(sequential),
      burst: timing(burst),
      poller: POLLER,
      captureMs: median(captureTimes),
      enrollment: { without: units(itemBytes(withoutCause)), with: units(itemBytes(enrollment)), lastCauseBytes: itemBytes({ lastCause: lastCause! }) },
      event: largest(feedItems.filter((i) => i.sk?.S?.startsWith('EVT#'))),
      state: largest(feedItems.filter((i) => i.pk?.S?.includes('#FEEDSTATE#'))),
    };
  } finally {
    await runtime.stop().catch(() => {});
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}
