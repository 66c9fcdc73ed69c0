/**
 * `npm run load`: the `npm start` stack under load. Posts LOAD_EVENTS unique webhooks (default
 * 5,000) plus 10 % duplicates, at LOAD_CONCURRENCY (default 32) connections, with autocannon;
 * then checks in DynamoDB that every unique event was stored exactly once and granted its
 * enrollment, and that no answer was a 5xx. Prints the figures; exits non-zero if a check fails.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { createDocumentClient } from '#lib/adapters/dynamodb/client.ts';
import { freePort } from './local/dynamodb.ts';
import { localTableNames, stagePrefix } from './local/tables.ts';

const EVENTS = Number(process.env.LOAD_EVENTS ?? 5000);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 32);
const DUPLICATE_SHARE = 0.1;
const TOKEN = 'load-token';
const PRODUCT = 3412911;
const root = new URL('..', import.meta.url).pathname;
const fixture = JSON.parse(readFileSync(`${root}test/fixtures/PURCHASE_APPROVED.one-time.json`, 'utf8'));

// The deliveries: unique purchases, and a tenth of them sent again (Hotmart's retries).
const unique = Array.from({ length: EVENTS }, (_, i) => {
  const body = structuredClone(fixture);
  body.id = randomUUID();
  body.data.purchase.transaction = `HPLOAD${i}`;
  body.data.buyer.email = `load-${i}@example.com`;
  return JSON.stringify(body);
});
const duplicates = unique.filter((_, i) => i % Math.round(1 / DUPLICATE_SHARE) === 0);
const bodies = [...unique, ...duplicates].map((body, i, all) => all[(i * 7919) % all.length]!); // spread the copies out
if (new Set(bodies).size !== unique.length) throw new Error('the delivery mix lost an event');

const port = await freePort();
const stack = spawn(process.execPath, ['--import', 'tsx', `${root}scripts/start.ts`], {
  cwd: root,
  env: { ...process.env, PORT: String(port), LAMBDA_PORT: String(await freePort()), HOTMART_HOTTOK: TOKEN, SCHOOL_ID: '', LOG_LEVEL: 'WARN' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
stack.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
const stop = () => new Promise((resolve) => (stack.exitCode === null ? (stack.once('exit', resolve), stack.kill('SIGTERM')) : resolve(undefined)));

let failed = false;
try {
  const deadline = Date.now() + 120_000;
  while (!output.includes('Ctrl-C stops everything')) {
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const base = `http://127.0.0.1:${port}/schools/demo`; // the school npm start creates
  const endpoint = /DynamoDB Local at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
  const mapping = await fetch(`${base}/mappings/${PRODUCT}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ targets: [{ type: 'course', id: 'edicao' }] }),
  });
  if (!mapping.ok) throw new Error(`mapping: ${mapping.status}`);

  let next = 0;
  const result = await autocannon({
    url: `${base}/webhooks/hotmart`,
    connections: CONCURRENCY,
    amount: bodies.length,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN },
        setupRequest: (request: autocannon.Request) => ({ ...request, body: bodies[next++ % bodies.length]! }),
      },
    ],
  });

  const db = createDocumentClient({ region: 'us-east-1', endpoint });
  const count = async (table: string, prefix: string) => {
    let total = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new ScanCommand({ TableName: table, ExclusiveStartKey: startKey, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': prefix }, Select: 'COUNT' }),
      );
      total += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return total;
  };
  const stackTables = localTableNames(stagePrefix('local')); // the tables `npm start` creates
  const events = await count(stackTables.EVENTS_TABLE!, 'EVENT#');
  const enrollments = await count(stackTables.ENROLLMENTS_TABLE!, 'STUDENT#');
  const status5xx = Object.entries(result.statusCodeStats ?? {}).filter(([code]) => Number(code) >= 500).reduce((n, [, s]) => n + (s as { count: number }).count, 0);
  const figures = {
    date: new Date().toISOString().slice(0, 10),
    requests: result.requests.total,
    uniqueEvents: unique.length,
    duplicates: duplicates.length,
    concurrency: CONCURRENCY,
    storedEvents: events,
    enrollments,
    status: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, (s as { count: number }).count])),
    errors: result.errors,
    timeouts: result.timeouts,
    throughputPerSecond: Math.round(result.requests.total / result.duration),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
  console.log(JSON.stringify(figures, null, 2));
  const checks: [string, boolean][] = [
    ['every request answered', result.requests.total === bodies.length && result.errors === 0 && result.timeouts === 0],
    ['zero 5xx', status5xx === 0],
    ['every unique event stored exactly once', events === unique.length],
    ['one enrollment per buyer', enrollments === unique.length],
  ];
  for (const [name, ok] of checks) console.log(`${ok ? 'ok' : 'FAILED'} - ${name}`);
  failed = checks.some(([, ok]) => !ok);
  db.destroy();
} finally {
  await stop();
}
process.exit(failed ? 1 : 0);
