/**
 * `npm run bench`: measures the webhook against its floors and against the Powertools peer, all
 * in one run on this machine, and rewrites BENCHMARKS.md. Every target is a ratio, because
 * absolute times on a shared 2-core machine drift.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as esbuild from 'esbuild';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { loadConfig } from '#lib/config.ts';
import { receiveHotmartDelivery } from '#lib/services/receive-webhook.ts';
import { freePort, startDynamoDbLocal } from '../scripts/local/dynamodb.ts';
import { reconcileMemory } from './reconcile-memory.ts';
import { createTables, readServerlessYml } from '../scripts/local/tables.ts';

const root = new URL('..', import.meta.url).pathname;
const out = `${root}.bench`;
const TOKEN = 'bench-token';
const PRODUCT = 3412911;
const UNMAPPED_PRODUCT = 3999999;
const SUB_PRODUCT = 3412907;
const fixture = JSON.parse((await import('node:fs')).readFileSync(`${root}test/fixtures/PURCHASE_APPROVED.one-time.json`, 'utf8'));
const subscriptionFixture = JSON.parse((await import('node:fs')).readFileSync(`${root}test/fixtures/PURCHASE_APPROVED.json`, 'utf8'));

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const median = (xs: number[]) => percentile(xs, 50);
function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const ms = (x: number) => `${x.toFixed(2)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const verdict = (holds: boolean) => (holds ? 'holds' : '**misses**');

// ---------------------------------------------------------------------------------------------
// Deliveries
// ---------------------------------------------------------------------------------------------

function purchase(overrides: { productId?: number; id?: string } = {}) {
  const body = structuredClone(fixture);
  body.id = overrides.id ?? randomUUID();
  body.data.purchase.transaction = `HP${body.id.slice(0, 8)}`;
  body.data.buyer.email = `${body.id.slice(0, 8)}@bench.example.com`;
  body.data.product.id = overrides.productId ?? PRODUCT;
  return body;
}

function renewal(subscriberCode: string, n: number) {
  const body = structuredClone(subscriptionFixture);
  body.id = randomUUID();
  body.creation_date = Date.UTC(2026, n, 10);
  body.data.purchase.transaction = `HP${subscriberCode}${n}`;
  body.data.purchase.recurrence_number = n;
  body.data.purchase.date_next_charge = Date.UTC(2026, n + 1, 10);
  body.data.subscription.subscriber.code = subscriberCode;
  body.data.buyer.email = `${subscriberCode.toLowerCase()}@bench.example.com`;
  return body;
}

/** The API Gateway HTTP API (payload 2.0) event of one Hotmart delivery, complete. */
const apiEvent = (body: unknown) => ({
  version: '2.0',
  routeKey: 'POST /webhooks/hotmart',
  rawPath: '/webhooks/hotmart',
  rawQueryString: '',
  headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN, 'user-agent': 'Hotmart' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'bench',
    domainName: 'bench.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'bench',
    http: { method: 'POST', path: '/webhooks/hotmart', protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'Hotmart' },
    requestId: randomUUID(),
    routeKey: 'POST /webhooks/hotmart',
    stage: '$default',
    time: new Date().toUTCString(),
    timeEpoch: Date.now(),
  },
  body: JSON.stringify(body),
  isBase64Encoded: false,
});
const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 6000 };

// ---------------------------------------------------------------------------------------------
// 1. Bundles
// ---------------------------------------------------------------------------------------------

type Bundle = { name: string; sdk: 'external' | 'bundled'; file: string; bytes: number; zodLocales: string[] };

async function build(name: string, entry: string, sdk: Bundle['sdk']): Promise<Bundle> {
  // The same esbuild options serverless.yml packages the functions with.
  const options = readServerlessYml().custom.esbuild;
  const file = `${out}/${name}.${sdk}.mjs`;
  const result = await esbuild.build({
    entryPoints: [`${root}${entry}`],
    outfile: file,
    bundle: true,
    minify: options.minify,
    target: options.target,
    platform: options.platform,
    format: options.format,
    mainFields: options.mainFields,
    banner: options.banner,
    // 'bundled' is how serverless.yml packages: the SDK inside, but for the lazily imported SSM client.
    external: sdk === 'external' ? ['@aws-sdk/*'] : options.exclude,
    metafile: true,
    logLevel: 'error',
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  const locales = Object.entries(output.inputs).filter(([input, { bytesInOutput }]) => /zod\/.*locales\//.test(input) && bytesInOutput > 0);
  return { name, sdk, file, bytes: output.bytes, zodLocales: locales.map(([input]) => input.replace(/.*locales\//, '')) };
}

// ---------------------------------------------------------------------------------------------
// Stack
// ---------------------------------------------------------------------------------------------

mkdirSync(out, { recursive: true });
const dynamodb = await startDynamoDbLocal();
const tables = await createTables(dynamodb.endpoint, `bench-${Date.now()}`);
const raw = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const IDEMPOTENCY_TABLE = `${tables.EVENTS_TABLE}-idempotency`;
await raw.send(
  new CreateTableCommand({
    TableName: IDEMPOTENCY_TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  }),
);
const env: Record<string, string> = {
  ...tables,
  IDEMPOTENCY_TABLE,
  DYNAMODB_ENDPOINT: dynamodb.endpoint,
  HOTMART_HOTTOK: TOKEN,
  AWS_REGION: 'us-east-1',
  LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
};
Object.assign(process.env, env);
const deps = createDynamoDeps(loadConfig());
const mapping = { targets: [{ type: 'course' as const, id: 'edicao' }] };
await deps.mappingStore.put({ productId: String(PRODUCT) }, mapping);
await deps.mappingStore.put({ productId: String(SUB_PRODUCT) }, { targets: [{ type: 'plan', id: 'mensal' }] });
// The peer reads the same mapping item.
await deps.db.send(new PutCommand({ TableName: tables.MAPPINGS_TABLE, Item: { pk: `PRODUCT#${PRODUCT}`, sk: 'MAPPING', productId: String(PRODUCT), ...mapping, version: 1 } }));

const report: string[] = [];
try {
  log('building bundles');
  const bundles: Bundle[] = [];
  for (const sdk of ['external', 'bundled'] as const) {
    bundles.push(await build('webhook', 'functions/webhook/handler.ts', sdk));
    bundles.push(await build('mappings', 'functions/mappings/handler.ts', sdk));
    bundles.push(await build('enrollments', 'functions/enrollments/handler.ts', sdk));
    bundles.push(await build('baseline', 'bench/baseline.ts', sdk));
    bundles.push(await build('peer', 'bench/peer/handler.ts', sdk));
    bundles.push(await build('floor', 'bench/floor-cold.ts', sdk));
  }
  const bundle = (name: string, sdk: Bundle['sdk']) => bundles.find((b) => b.name === name && b.sdk === sdk)!;

  // The exact TransactWriteItems a new mapped purchase sends, to replay as a floor (§2 and §4).
  let captured: TransactWriteItemsCommandInput | undefined;
  const capture = createDynamoDeps(loadConfig());
  // Capture the request body as it goes over the wire: the exact TransactWriteItems, marshalled.
  capture.db.middlewareStack.add(
    (next: any, ctx: any) => async (args: any) => {
      if (/^TransactWrite/.test(ctx.commandName)) {
        const body = args.request.body;
        captured = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
        delete captured!.ClientRequestToken; // the SDK's per-call idempotency token: the floor gets its own
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchCapture' },
  );
  const template = purchase();
  await receiveHotmartDelivery({ mediaType: 'json', body: JSON.stringify(template), receivedAt: Date.now() }, capture);
  const capturedText = JSON.stringify(captured);
  const sameWrites = (body: ReturnType<typeof purchase>) =>
    JSON.parse(
      capturedText
        .replaceAll(template.id, body.id)
        .replaceAll(template.data.purchase.transaction, body.data.purchase.transaction)
        .replaceAll(template.data.buyer.email, body.data.buyer.email),
    ) as TransactWriteItemsCommandInput;

  // -------------------------------------------------------------------------------------------
  // 2. Cold start
  // -------------------------------------------------------------------------------------------
  log('cold starts');
  const COLD_RUNS = 15;
  const cold: Record<string, { importMs: number[]; firstEventMs: number[] }> = {};
  for (let run = 0; run < COLD_RUNS; run++) {
    for (const b of bundles.filter((x) => ['webhook', 'baseline', 'floor', 'peer'].includes(x.name))) {
      const child = spawnSync(process.execPath, [`${root}bench/cold-start-child.mjs`, b.file], {
        env: {
          ...process.env,
          ...env,
          BENCH_EVENT: JSON.stringify(apiEvent(purchase())),
          BENCH_WRITES: JSON.stringify(sameWrites(purchase())),
          BENCH_MAPPING_PK: `PRODUCT#${PRODUCT}`,
        },
        encoding: 'utf8',
      });
      if (!child.stdout) throw new Error(`${b.name}.${b.sdk} failed: ${child.stderr.split('\n').filter((l) => l.length < 300 && !/^\s+at /.test(l)).slice(-12).join('\n')}`);
      const result = JSON.parse(child.stdout);
      if (result.statusCode !== 200) throw new Error(`${b.name}.${b.sdk} answered ${result.statusCode}: ${child.stderr}`);
      const key = `${b.name}.${b.sdk}`;
      cold[key] ??= { importMs: [], firstEventMs: [] };
      cold[key].importMs.push(result.importMs);
      cold[key].firstEventMs.push(result.firstEventMs);
    }
  }
  const coldOf = (name: string, sdk: Bundle['sdk']) => median(cold[`${name}.${sdk}`]!.firstEventMs);
  const importOf = (name: string, sdk: Bundle['sdk']) => median(cold[`${name}.${sdk}`]!.importMs);
  const sdkChoice = coldOf('webhook', 'external') <= coldOf('webhook', 'bundled') ? 'external' : 'bundled';

  // -------------------------------------------------------------------------------------------
  // 3. Round trips (and capacity units), counted by an SDK middleware
  // -------------------------------------------------------------------------------------------
  log('round trips');
  type Count = { requests: number; writeUnits: number; readUnits: number; commands: string[] };
  function counted(client: { middlewareStack: any }) {
    const count: Count = { requests: 0, writeUnits: 0, readUnits: 0, commands: [] };
    client.middlewareStack.add(
      (next: any, ctx: any) => async (args: any) => {
        args.input.ReturnConsumedCapacity = 'INDEXES';
        count.commands.push(ctx.commandName.replace(/Command$/, ''));
        const result = await next(args);
        for (const c of [result.output.ConsumedCapacity ?? []].flat()) {
          if (/Transact|Put|Update|Delete/.test(ctx.commandName)) count.writeUnits += c.CapacityUnits ?? 0;
          else count.readUnits += c.CapacityUnits ?? 0;
        }
        return result;
      },
      { step: 'initialize', name: 'benchCount', priority: 'high' },
    );
    client.middlewareStack.add(
      (next: any) => async (args: any) => {
        count.requests++;
        return next(args);
      },
      { step: 'finalizeRequest', name: 'benchRequests' },
    );
    return count;
  }
  const fresh = () => {
    const d = createDynamoDeps(loadConfig());
    return { deps: d, count: counted(d.db) };
  };
  const measure = async (ours: ReturnType<typeof fresh>, body: unknown) => {
    const before = { ...ours.count, commands: [...ours.count.commands] };
    const result = await receiveHotmartDelivery({ mediaType: 'json', body: JSON.stringify(body), receivedAt: Date.now() }, ours.deps);
    return {
      status: result.kind === 'applied' ? result.outcome.status : result.kind,
      requests: ours.count.requests - before.requests,
      writeUnits: ours.count.writeUnits - before.writeUnits,
      readUnits: ours.count.readUnits - before.readUnits,
      commands: ours.count.commands.slice(before.commands.length).join(' + '),
    };
  };
  const ours = fresh();
  const newCold = await measure(ours, purchase());
  const repeated = purchase();
  const newWarm = await measure(ours, repeated);
  const duplicate = await measure(ours, repeated);
  const unmappedCold = await measure(ours, purchase({ productId: UNMAPPED_PRODUCT }));
  const unmappedWarm = await measure(ours, purchase({ productId: UNMAPPED_PRODUCT }));
  await measure(ours, renewal('BENCHWARM', 1)); // warms the subscription product's mapping
  const firstCharge = await measure(ours, renewal('BENCHSUB', 1));
  const renewalCharge = await measure(ours, renewal('BENCHSUB', 2));

  // The peer's clients live inside its bundle: count its requests with a counting proxy in
  // front of DynamoDB Local, through a second instance of the module that talks to the proxy.
  const http = await import('node:http');
  let peerRequests = 0;
  const proxy = http.createServer((request, response) => {
    peerRequests++;
    const upstream = http.request(`${dynamodb.endpoint}${request.url}`, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    request.pipe(upstream);
  });
  const proxyPort = await freePort();
  await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
  process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${proxyPort}`;
  const countedPeer = await import(`${bundle('peer', 'external').file}?counted`);
  process.env.DYNAMODB_ENDPOINT = dynamodb.endpoint;
  const countPeer = async (body: unknown) => {
    const before = peerRequests;
    const response = await countedPeer.handler(apiEvent(body), context);
    return { status: JSON.parse(response.body).status as string, requests: peerRequests - before };
  };
  const peerBody = purchase();
  const peerNew = await countPeer(peerBody);
  const peerDuplicate = await countPeer(peerBody);
  proxy.close();
  const peerModule = await import(bundle('peer', 'external').file);

  // -------------------------------------------------------------------------------------------
  // 4. Latency against the floor: the same TransactWriteItems issued directly
  // -------------------------------------------------------------------------------------------
  log('latency');
  const webhookModule = await import(bundle('webhook', 'external').file);
  const LATENCY_RUNS = 400;
  const timings = { webhook: [] as number[], floor: [] as number[], peer: [] as number[] };
  for (let i = 0; i < 50; i++) {
    await webhookModule.handler(apiEvent(purchase()), context);
    await peerModule.handler(apiEvent(purchase()), context);
    await raw.send(new TransactWriteItemsCommand(sameWrites(purchase())));
  }
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const forWebhook = apiEvent(purchase());
    let t = performance.now();
    const response = await webhookModule.handler(forWebhook, context);
    timings.webhook.push(performance.now() - t);
    if (JSON.parse(response.body).status !== 'processed') throw new Error(`webhook answered ${response.body}`);
    const writes = sameWrites(purchase());
    t = performance.now();
    await raw.send(new TransactWriteItemsCommand(writes));
    timings.floor.push(performance.now() - t);
    const forPeer = apiEvent(purchase());
    t = performance.now();
    await peerModule.handler(forPeer, context);
    timings.peer.push(performance.now() - t);
  }

  // -------------------------------------------------------------------------------------------
  // 6. Throughput through the local HTTP stack vs raw PutItem, same concurrency
  // -------------------------------------------------------------------------------------------
  log('throughput (npm start stack)');
  const CONCURRENCY = 16;
  const REQUESTS = 1500;
  const pool = async (count: number, work: (i: number) => Promise<void>) => {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) await work(next++);
      }),
    );
    return count / ((performance.now() - started) / 1000);
  };
  const port = await freePort();
  const stack = spawn(process.execPath, ['--import', 'tsx', `${root}scripts/start.ts`], {
    cwd: root,
    env: { ...process.env, PORT: String(port), LAMBDA_PORT: String(await freePort()), HOTMART_HOTTOK: TOKEN, DYNAMODB_ENDPOINT: '', LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stackOutput = '';
  stack.stdout.on('data', (chunk: Buffer) => (stackOutput += chunk.toString()));
  let httpRate = 0;
  let putRate = 0;
  let httpErrors = 0;
  try {
    const deadline = Date.now() + 90_000;
    while (!stackOutput.includes('Ctrl-C stops everything')) {
      if (Date.now() > deadline) throw new Error('npm start did not come up');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const stackDynamo = /DynamoDB Local at (http:\/\/127\.0\.0\.1:\d+)/.exec(stackOutput)![1]!;
    const base = `http://127.0.0.1:${port}`;
    await fetch(`${base}/mappings/${PRODUCT}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mapping) });
    const post = (body: unknown) =>
      fetch(`${base}/webhooks/hotmart`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN }, body: JSON.stringify(body) });
    await pool(200, async () => void (await post(purchase())).arrayBuffer()); // warm every worker
    httpRate = await pool(REQUESTS, async () => {
      const response = await post(purchase());
      if (response.status !== 200) httpErrors++;
      await response.arrayBuffer();
    });
    const stackClient = createDynamoDeps({ ...loadConfig(), dynamodbEndpoint: stackDynamo }).db;
    const table = 'hotmart-enrollments-local-events';
    putRate = await pool(REQUESTS, async (i) => {
      await stackClient.send(new PutCommand({ TableName: table, Item: { pk: `RAW#${i}#${randomUUID()}`, sk: 'RAW', body: JSON.stringify(fixture) } }));
    });
  } finally {
    stack.kill('SIGTERM');
    await new Promise((resolve) => stack.once('exit', resolve));
  }

  // -------------------------------------------------------------------------------------------
  // 7. Cost of one million webhooks
  // -------------------------------------------------------------------------------------------
  const sls = readServerlessYml();
  const memoryMb: number = sls.provider.memorySize;
  const PRICE = { lambdaGbSecond: 0.0000133334, lambdaRequest: 0.2 / 1e6, httpApiRequest: 1.0 / 1e6, wru: 0.625 / 1e6, rru: 0.125 / 1e6 };
  const COLD_START_RATE = 0.01;
  const p50 = median(timings.webhook);
  const billedMs = Math.ceil(p50);
  const initMs = Math.ceil(coldOf('webhook', sdkChoice) - p50);
  const gbSeconds = (memoryMb / 1024) * ((billedMs + COLD_START_RATE * initMs) / 1000);
  const perMillion = {
    lambdaDuration: 1e6 * gbSeconds * PRICE.lambdaGbSecond,
    lambdaRequests: 1e6 * PRICE.lambdaRequest,
    httpApi: 1e6 * PRICE.httpApiRequest,
    dynamodbWrites: 1e6 * newWarm.writeUnits * PRICE.wru,
    dynamodbReads: 1e6 * (newCold.readUnits * COLD_START_RATE) * PRICE.rru,
  };
  const total = Object.values(perMillion).reduce((a, b) => a + b, 0);

  // -------------------------------------------------------------------------------------------
  // BENCHMARKS.md
  // -------------------------------------------------------------------------------------------
  const webhookExternal = bundle('webhook', 'external');
  const ourBundles = bundles.filter((b) => ['webhook', 'mappings', 'enrollments'].includes(b.name));
  const coldRatio = coldOf('webhook', sdkChoice) / coldOf('baseline', sdkChoice);
  const latencyRatio = median(timings.webhook) / median(timings.floor);
  const cpu = (await import('node:os')).cpus()[0]?.model ?? 'unknown CPU';
  log('reconciliation memory (100,000-sale window)');
  const memory = await reconcileMemory();
  report.push(
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${(await import('node:os')).cpus().length} × ${cpu}, DynamoDB Local 3.3.1 (in memory).`,
    'Absolute times on this shared machine drift; every target is a ratio measured in the same run.',
    '',
    '## Targets',
    '',
    '| Target | Measured | Verdict |',
    '|---|---|---|',
    `| webhook bundle ≤ 150 KB (SDK external) | ${kb(webhookExternal.bytes)} | ${verdict(webhookExternal.bytes <= 150 * 1024)} |`,
    `| no zod locale files in any bundle | ${[...new Set(ourBundles.flatMap((b) => b.zodLocales))].join(', ') || 'none'} in ours (see §1) | ${verdict(ourBundles.every((b) => b.zodLocales.length === 0))} |`,
    `| cold start / baseline ≤ 1.3 (SDK ${sdkChoice}) | ${ratio(coldOf('webhook', sdkChoice), coldOf('baseline', sdkChoice))} (against the same requests issued bare: ${ratio(coldOf('webhook', sdkChoice), coldOf('floor', sdkChoice))}) | ${verdict(coldRatio <= 1.3)} |`,
    `| round trips, new mapped event: 1 warm, 2 cold | ${newWarm.requests} warm, ${newCold.requests} cold | ${verdict(newWarm.requests === 1 && newCold.requests === 2)} |`,
    `| round trips, duplicate: 1 | ${duplicate.requests} | ${verdict(duplicate.requests === 1)} |`,
    `| p50 / floor p50 ≤ 1.2 | ${ratio(median(timings.webhook), median(timings.floor))} | ${verdict(latencyRatio <= 1.2)} |`,
    `| beats the Powertools peer on round trips, p50, bundle size and cold import | ${newWarm.requests} vs ${peerNew.requests} trips; ${ms(median(timings.webhook))} vs ${ms(median(timings.peer))}; ${kb(webhookExternal.bytes)} vs ${kb(bundle('peer', 'external').bytes)}; ${ms(importOf('webhook', 'external'))} vs ${ms(importOf('peer', 'external'))} | ${verdict(newWarm.requests < peerNew.requests && median(timings.webhook) < median(timings.peer) && webhookExternal.bytes < bundle('peer', 'external').bytes && importOf('webhook', 'external') < importOf('peer', 'external'))} |`,
    memory.target,
    '',
    '## 1. Bundles',
    '',
    'Minified ESM, built with the esbuild options of `serverless.yml` (`custom.esbuild`); sizes from the esbuild metafile.',
    '',
    '| Function | SDK external | SDK bundled | zod locale files |',
    '|---|---|---|---|',
    ...['webhook', 'mappings', 'enrollments', 'baseline', 'peer'].map(
      (name) => `| ${name} | ${kb(bundle(name, 'external').bytes)} | ${kb(bundle(name, 'bundled').bytes)} | ${[...new Set([...bundle(name, 'external').zodLocales, ...bundle(name, 'bundled').zodLocales])].join(', ') || 'none'} |`,
    ),
    '',
    'zod is imported as `import * as z from \'zod\'` everywhere, so of its locales only `en.js` is bundled: zod\'s classic API registers it as the default error map, and it is what writes the field messages in 400 answers and quarantine reasons. Dropping it would mean `zod/mini` and hand-written messages; the target\'s purpose — not shipping the 360 KB of every locale that `import { z }` pulls in — holds.',
    '',
    '## 2. Cold start',
    '',
    `A fresh \`node\` process imports the bundle and handles its first event against DynamoDB Local; median of ${COLD_RUNS} runs each, interleaved. "baseline" only builds the DynamoDB document client and issues one PutItem (the issue's reference); "floor" builds a bare client and issues the very requests the webhook's first delivery must make — the mapping Query (the cache is cold) and the captured TransactWriteItems.`,
    '',
    '| Bundle | SDK | import | import + first event | / baseline |',
    '|---|---|---|---|---|',
    ...(['webhook', 'baseline', 'floor', 'peer'] as const).flatMap((name) =>
      (['external', 'bundled'] as const).map(
        (sdk) => `| ${name} | ${sdk} | ${ms(importOf(name, sdk))} | ${ms(coldOf(name, sdk))} | ${ratio(coldOf(name, sdk), coldOf('baseline', sdk))} |`,
      ),
    ),
    '',
    `**SDK decision: ${sdkChoice}.** The webhook's first event takes ${ms(coldOf('webhook', 'external'))} with the SDK external and ${ms(coldOf('webhook', 'bundled'))} bundled, in this run: ` +
      'loading the SDK\'s many files from node_modules costs more than parsing them from one bundle. serverless.yml bundles the SDK (the deployed version is then the tested one), ' +
      'except the SSM client: only the webhook\'s first request in AWS imports it, dynamically, from Lambda\'s runtime, so no cold start parses it (statically imported through `@middy/ssm` it added ~80 ms to every local cold start).',
    '',
    `**Why the ratio misses 1.3.** Of the webhook's ${ms(coldOf('webhook', sdkChoice))}, ${ms(importOf('webhook', sdkChoice))} is import (baseline ${ms(importOf('baseline', sdkChoice))}) and ` +
      `${ms(coldOf('webhook', sdkChoice) - importOf('webhook', sdkChoice))} the first event (baseline ${ms(coldOf('baseline', sdkChoice) - importOf('baseline', sdkChoice))}, floor ${ms(coldOf('floor', sdkChoice) - importOf('floor', sdkChoice))}). ` +
      'The import difference is compiling a bundle ~140 KB larger (zod 4 classic and our schemas, middy) and building the zod schemas; the first-event difference is two DynamoDB round trips instead of one ' +
      '(a cold mapping cache must read the mapping before it can grant) and the first zod parse. Closing it would mean replacing zod classic by `zod/mini` throughout — a rewrite of every schema for tens of milliseconds once per container; ' +
      'the per-request targets below, which every delivery pays, hold.',
    '',
    '## 3. Round trips per webhook',
    '',
    'Requests to DynamoDB counted by an SDK middleware on the service\'s client (the handler adds none); capacity units as DynamoDB Local reports them.',
    '',
    '| Delivery | Answer | Requests | Commands | Write units | Read units |',
    '|---|---|---|---|---|---|',
    `| new mapped one-time purchase, cold mapping cache | ${newCold.status} | ${newCold.requests} | ${newCold.commands} | ${newCold.writeUnits} | ${newCold.readUnits} |`,
    `| new mapped one-time purchase, warm cache | ${newWarm.status} | ${newWarm.requests} | ${newWarm.commands} | ${newWarm.writeUnits} | ${newWarm.readUnits} |`,
    `| the same delivery again (duplicate) | ${duplicate.status} | ${duplicate.requests} | ${duplicate.commands} | — | — |`,
    `| purchase of an unmapped product, cold | ${unmappedCold.status} | ${unmappedCold.requests} | ${unmappedCold.commands} | ${unmappedCold.writeUnits} | ${unmappedCold.readUnits} |`,
    `| purchase of an unmapped product, warm | ${unmappedWarm.status} | ${unmappedWarm.requests} | ${unmappedWarm.commands} | ${unmappedWarm.writeUnits} | ${unmappedWarm.readUnits} |`,
    `| subscription, first charge | ${firstCharge.status} | ${firstCharge.requests} | ${firstCharge.commands} | ${firstCharge.writeUnits} | ${firstCharge.readUnits} |`,
    `| subscription renewal (reads its record, writes under its version) | ${renewalCharge.status} | ${renewalCharge.requests} | ${renewalCharge.commands} | ${renewalCharge.writeUnits} | ${renewalCharge.readUnits} |`,
    `| peer: new purchase | ${peerNew.status} | ${peerNew.requests} | idempotency PutItem + GetItem mapping + PutItem event + UpdateItem enrollment + idempotency UpdateItem | | |`,
    `| peer: duplicate | ${peerDuplicate.status} | ${peerDuplicate.requests} | idempotency PutItem (fails, returns the stored answer) | | |`,
    '',
    'A failed condition is not a read-then-write: every decision is a condition DynamoDB evaluates inside the one TransactWriteItems; a cancellation returns the current items, and only then is a second write planned.',
    '',
    '## 4. Latency against the DynamoDB floor',
    '',
    `${LATENCY_RUNS} new mapped purchases, in-process, warm, interleaved: the built webhook handler (token check, parse, plan, one TransactWriteItems, answer); the floor — the very TransactWriteItems the handler sends, captured and replayed with fresh ids through a bare client; and the Powertools peer.`,
    '',
    '| Path | p50 | p99 | p50 / floor |',
    '|---|---|---|---|',
    `| webhook handler | ${ms(median(timings.webhook))} | ${ms(percentile(timings.webhook, 99))} | ${ratio(median(timings.webhook), median(timings.floor))} |`,
    `| floor: the same TransactWriteItems | ${ms(median(timings.floor))} | ${ms(percentile(timings.floor, 99))} | 1.00 |`,
    `| Powertools peer | ${ms(median(timings.peer))} | ${ms(percentile(timings.peer, 99))} | ${ratio(median(timings.peer), median(timings.floor))} |`,
    '',
    '## 6. Throughput',
    '',
    `${REQUESTS} unique webhooks at concurrency ${CONCURRENCY} through the \`npm start\` stack (serverless-offline → webhook Lambda → DynamoDB Local), against ${REQUESTS} raw PutItem calls at the same concurrency on the same DynamoDB Local.`,
    '',
    '| Path | events/s |',
    '|---|---|',
    `| HTTP → webhook → DynamoDB Local (${httpErrors} non-200) | ${httpRate.toFixed(0)} |`,
    `| raw PutItem | ${putRate.toFixed(0)} |`,
    `| ratio | ${ratio(httpRate, putRate)} |`,
    '',
    'serverless-offline runs each invocation through its own Lambda emulation (worker threads, event building); the ratio measures that emulation as much as the webhook, and is reported, not targeted.',
    '',
    '## 7. Cost of one million webhooks (us-east-1)',
    '',
    `Prices as published by AWS for us-east-1 (check before budgeting): Lambda arm64 $${PRICE.lambdaGbSecond} per GB-s and $0.20 per million requests; HTTP API $1.00 per million requests; DynamoDB on-demand $0.625 per million write request units and $0.125 per million read request units.`,
    '',
    `- Lambda duration: ${memoryMb} MB (serverless.yml) × (${billedMs} ms billed p50 + ${COLD_START_RATE * 100}% cold starts × ${initMs} ms INIT) = ${gbSeconds.toExponential(3)} GB-s per webhook → 1M × ${gbSeconds.toExponential(3)} × $${PRICE.lambdaGbSecond} = $${perMillion.lambdaDuration.toFixed(2)}`,
    `- Lambda requests: 1M × $0.20/M = $${perMillion.lambdaRequests.toFixed(2)}`,
    `- HTTP API: 1M × $1.00/M = $${perMillion.httpApi.toFixed(2)}`,
    `- DynamoDB writes: ${newWarm.writeUnits} write units per new purchase (TransactWriteItems: 2 per item per KB, the byTarget index included) → 1M × ${newWarm.writeUnits} × $0.625/M = $${perMillion.dynamodbWrites.toFixed(2)}`,
    `- DynamoDB reads: mapping read on ${COLD_START_RATE * 100}% of deliveries (cold cache) × ${newCold.readUnits} read units → $${perMillion.dynamodbReads.toFixed(4)}`,
    `- **Total ≈ $${total.toFixed(2)} per million webhooks**, of which DynamoDB writes are ${((perMillion.dynamodbWrites / total) * 100).toFixed(0)}%.`,
    '',
    'The duration is the in-process p50 measured here against DynamoDB Local; in AWS the DynamoDB round trip dominates it the same way.',
    '',
    ...memory.lines,
  );
  writeFileSync(`${root}BENCHMARKS.md`, report.join('\n'));
  log('wrote BENCHMARKS.md');
} finally {
  raw.destroy();
  await dynamodb.stop();
}
process.exit(0);
