/**
 * `npm start`: the whole service on this machine — DynamoDB Local in memory, the tables of
 * serverless.yml, and serverless-offline on 127.0.0.1:$PORT. Ctrl-C or SIGTERM stops all of it.
 *
 * Ports: PORT (default 3000) for the API, LAMBDA_PORT (default PORT+2) for serverless-offline's
 * Lambda endpoint, DYNAMODB_PORT (default: any free port) for DynamoDB Local.
 *
 * It creates the school $SCHOOL_ID (default demo) through the schools API, with HOTMART_HOTTOK (or
 * the development default printed) as its token, and prints that school's URLs.
 *
 * `HOTMART_API=fake npm start` also starts the fake Hotmart API (scripts/fake-hotmart-api.ts)
 * with a few sales and subscriptions whose webhooks "never arrived", and points reconciliation
 * at it, so an operator can watch a run apply them.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { seedDemo, startFakeHotmartApi } from './fake-hotmart-api.ts';
import { portAvailable, startDynamoDbLocal } from './local/dynamodb.ts';
import { startFeedRuntime } from './local/feed-runtime.ts';
import type { FeedRuntimeOptions } from './local/feed-runtime.ts';
import { createTables, stagePrefix } from './local/tables.ts';
import { warmUpDynamoDbLocal } from './local/warm-up.ts';

// Not the user's concern here: the SDK's notice that its 2027 releases need Node 22 (README, "Run it").
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const STAGE = 'local';
const DEV_TOKEN = 'dev-hottok-change-me';
const port = Number(process.env.PORT || 3000);
const token = process.env.HOTMART_HOTTOK || DEV_TOKEN;
const schoolId = process.env.SCHOOL_ID || 'demo';
if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(schoolId)) {
  console.error(`npm start: SCHOOL_ID: "${schoolId}" is not a school id (a slug: a-z, 0-9 and -, 2-63 characters)`);
  process.exit(1);
}
const root = fileURLToPath(new URL('..', import.meta.url));

const lambdaPort = process.env.LAMBDA_PORT || String(port + 2);
const dynamodbPort = process.env.DYNAMODB_PORT ? Number(process.env.DYNAMODB_PORT) : undefined;

/** A busy port is refused here, by name, rather than as a bare EADDRINUSE from deep inside. */
const ports: [number, string, string | undefined][] = [
  [port, 'PORT, the API', process.env.PORT],
  [Number(lambdaPort), `LAMBDA_PORT, serverless-offline's Lambda endpoint${process.env.LAMBDA_PORT ? '' : ' (PORT+2 unless set)'}`, lambdaPort],
  ...(dynamodbPort !== undefined ? [[dynamodbPort, 'DYNAMODB_PORT, DynamoDB Local', process.env.DYNAMODB_PORT] as [number, string, string]] : []),
];
for (const [p, what, raw] of ports) {
  if (!Number.isInteger(p) || p < 1 || p > 65535) {
    console.error(`npm start: ${what}: "${raw}" is not a port number`);
    process.exit(1);
  }
  if (!(await portAvailable(p))) {
    console.error(`npm start: port ${p} (${what}) is already in use on 127.0.0.1.
Stop what listens there, or pick free ports, e.g. PORT=3100 npm start (uses 3100 and 3102).`);
    process.exit(1);
  }
}
/** The fake API's credential: stored for the school below through the credentials route, as a school's own would be. */
const FAKE_CREDENTIAL = { clientId: 'demo-client-id', clientSecret: 'demo-client-secret' };
const fakeHotmart = process.env.HOTMART_API === 'fake' ? await startFakeHotmartApi({ ...FAKE_CREDENTIAL, pageSize: 5 }) : undefined;
if (fakeHotmart) seedDemo(fakeHotmart, Date.now());
const hotmartEnv: Record<string, string> = fakeHotmart ? { HOTMART_API_URL: fakeHotmart.apiUrl, HOTMART_TOKEN_URL: fakeHotmart.tokenUrl } : {};

const dynamodb = await startDynamoDbLocal(dynamodbPort !== undefined ? { port: dynamodbPort } : {});
// A cold DynamoDB Local serves a launch burst several times slower than a warm one (scripts/local/warm-up.ts).
await warmUpDynamoDbLocal(dynamodb.endpoint);
const tables = await createTables(dynamodb.endpoint, stagePrefix(STAGE));

// The feed's local runtime (scripts/local/feed-runtime.ts): the enqueue, sender and redrive handlers on
// clearly named stand-ins for DynamoDB Streams' Lambda trigger, SQS FIFO and EventBridge; with the
// capture and expiry handlers when they exist (functions/feed-capture, functions/feed-expiry).
async function feedCaptureHandlers(): Promise<Pick<FeedRuntimeOptions, 'capture' | 'expiry'>> {
  const file = (name: string) => fileURLToPath(new URL(`../functions/${name}/handler.ts`, import.meta.url));
  if (!existsSync(file('feed-capture'))) return {};
  // Their handlers read the configuration at import, as in Lambda.
  Object.assign(process.env, tables, { DYNAMODB_ENDPOINT: dynamodb.endpoint, DYNAMODB_REQUEST_TIMEOUT_MS: process.env.DYNAMODB_REQUEST_TIMEOUT_MS ?? '10000' });
  // A handler that cannot start (a bad configuration, say) is reported, as the HTTP functions are
  // below; the rest of the stack still comes up.
  const load = (name: string) =>
    import(file(name)).then(
      (module) => module.handler,
      (error: Error) => void console.error(`npm start: functions/${name} cannot start (${error.message}); the feed runs without it.`),
    );
  const capture = await load('feed-capture');
  const expiry = existsSync(file('feed-expiry')) ? await load('feed-expiry') : undefined;
  return { ...(capture ? { capture } : {}), ...(expiry ? { expiry: { handler: () => expiry({}), everyMs: 60_000 } } : {}) };
}
const feedRuntime = await startFeedRuntime({
  endpoint: dynamodb.endpoint,
  tables: { feed: tables.FEED_TABLE!, enrollments: tables.ENROLLMENTS_TABLE! },
  httpPort: 0,
  log: (line) => process.stdout.write(`${line}\n`),
  ...(await feedCaptureHandlers()),
});

const serverless = createRequire(import.meta.url).resolve('serverless/bin/serverless.js');
const offline = spawn(process.execPath, [serverless, 'offline', 'start', '--stage', STAGE], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: {
    ...process.env,
    ...tables,
    PORT: String(port),
    LAMBDA_PORT: lambdaPort,
    // POST /reconciliations hands its run to the runner through serverless-offline's Lambda endpoint.
    LAMBDA_ENDPOINT: `http://127.0.0.1:${lambdaPort}`,
    ...hotmartEnv,
    // The feed's routes start the redrive through serverless-offline's Lambda endpoint; it queues
    // through the local runtime's queue on 127.0.0.1 (localHttpDeliveryQueue).
    FEED_DELIVERY_QUEUE_URL: feedRuntime.queueUrl!,
    FEED_REDRIVE_FUNCTION: `hotmart-enrollments-${STAGE}-feed-redrive`,
    DYNAMODB_ENDPOINT: dynamodb.endpoint,
    // DynamoDB Local, sharing the machine with every function, queues a burst's requests for seconds.
    DYNAMODB_REQUEST_TIMEOUT_MS: process.env.DYNAMODB_REQUEST_TIMEOUT_MS ?? '10000',
    // serverless-offline's route table and per-request lines stay out of the way of the banner
    // below; its warnings and errors still show. SLS_LOG_LEVEL=notice npm start shows them all.
    SLS_LOG_LEVEL: process.env.SLS_LOG_LEVEL ?? 'warning',
  },
});

// serverless-offline prints its route table (60 lines) with console.log, whatever the log level:
// it is left out until the banner is up; everything else (the functions' logs) passes through.
let bannerShown = false;
createInterface({ input: offline.stdout! }).on('line', (line) => {
  if (!bannerShown && (/^\s*[┌│└]/.test(line) || line.trim() === '')) return;
  process.stdout.write(`${line}\n`);
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (offline.exitCode === null) offline.kill('SIGTERM');
  await feedRuntime.stop().catch(() => {});
  await Promise.all([dynamodb.stop(), fakeHotmart?.close()]);
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
offline.once('exit', (code) => void stop(code ?? 1));

const api = `http://127.0.0.1:${port}`;
/** The school's routes all start here. */
const base = `${api}/schools/${schoolId}`;
for (let i = 0; (await fetch(`${api}/schools?limit=1`).then(() => true, () => false)) === false; i++) {
  if (i === 1200) {
    console.error('npm start: serverless-offline did not come up within 2 minutes');
    await stop(1);
  }
  await sleep(100);
}
// The school, through the schools API (as a platform's settings page would create it), with its
// token and, with the fake Hotmart API, its credential (checked with the fake's token endpoint, then sealed).
const send = (method: string, path: string, body: unknown) =>
  fetch(`${api}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status, () => 0);
const setUp = [
  [`PUT /schools/${schoolId}`, await send('PUT', `/schools/${schoolId}`, { name: `School ${schoolId}` })],
  [`PUT /schools/${schoolId}/hottok`, await send('PUT', `/schools/${schoolId}/hottok`, { token })],
  ...(fakeHotmart ? [[`PUT /schools/${schoolId}/hotmart-credentials`, await send('PUT', `/schools/${schoolId}/hotmart-credentials`, FAKE_CREDENTIAL)] as const] : []),
] as const;
// Load each HTTP function once (one warm copy serves every later request), so that the first
// requests, or a burst of them, do not wait for it; and say so here if one cannot start.
const warmUps = ['/webhooks/hotmart', '/mappings?limit=1', '/enrollments?email=warm-up@example.com', '/quarantine?limit=1', '/reconciliations?limit=1'].map((path) => `/schools/${schoolId}${path}`);
const failed = [
  ...setUp.filter(([, status]) => status === 0 || status >= 400),
  ...(await Promise.all(warmUps.map(async (path) => [`GET ${path}`, await fetch(`${api}${path}`).then((r) => r.status, () => 0)] as const))).filter(
    ([, status]) => status === 0 || status >= 500,
  ),
];
const fixture = fileURLToPath(new URL('../test/fixtures/PURCHASE_APPROVED.one-time.json', import.meta.url));
const refundFixture = fileURLToPath(new URL('../test/fixtures/PURCHASE_REFUNDED.one-time.json', import.meta.url));
/** A word the shell passes through as is. */
const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);
// With HOTMART_HOTTOK set, the printed curl reads it from the shell it is pasted into (double
// quotes, so the shell expands it) rather than printing the token.
const tokenHeader = process.env.HOTMART_HOTTOK ? '"X-HOTMART-HOTTOK: $HOTMART_HOTTOK"' : `'X-HOTMART-HOTTOK: ${DEV_TOKEN}'`;
console.log(`
hotmart-enrollments is running (DynamoDB Local at ${dynamodb.endpoint}, in memory).

  School:        ${schoolId} (${process.env.SCHOOL_ID ? 'from SCHOOL_ID' : 'set SCHOOL_ID to pick another'}), its routes under ${base}
  Webhook URL:   POST ${base}/webhooks/hotmart
  Token:         ${process.env.HOTMART_HOTTOK ? 'from HOTMART_HOTTOK (the curl below reads it from your shell: export HOTMART_HOTTOK there too)' : `${DEV_TOKEN} (development default; set HOTMART_HOTTOK to change it)`}

To watch enrollments reach "your platform" (README, "Receive enrollment events"), first point the
school's feed at a local receiver and start it, in another terminal, with the secret the PUT printed;
it prints enrollment.granted for the purchase below, then enrollment.revoked for its refund:

  curl -s -X PUT ${base}/feed -H 'content-type: application/json' -d '{"url":"http://127.0.0.1:4000/"}'
  npm run feed:receive -- --secret 'whsec_…' --port 4000

Map the fixture's product, then post the fixture as Hotmart would:

  curl -s -X PUT ${base}/mappings/3412911 -H 'content-type: application/json' \\
    -d '{"targets":[{"type":"course","id":"edicao"}],"price":{"value":197,"currency":"BRL"}}'
  curl -s -X POST ${base}/webhooks/hotmart -H 'content-type: application/json' \\
    -H ${tokenHeader} --data-binary ${shellWord(`@${fixture}`)}
  curl -s '${base}/enrollments?email=lucas.exemplo@example.com'
  # its refund (enrollment.revoked on the feed, below)
  curl -s -X POST ${base}/webhooks/hotmart -H 'content-type: application/json' \\
    -H ${tokenHeader} --data-binary ${shellWord(`@${refundFixture}`)}

${
  fakeHotmart
    ? `
Reconciliation runs against the fake Hotmart API at ${fakeHotmart.apiUrl}, with the credential
stored for ${schoolId} (PUT ${base}/hotmart-credentials); it knows a few sales and
subscriptions of product 3412911 whose webhooks never came. Map the product (above), then:

  curl -s -X POST ${base}/reconciliations -H 'content-type: application/json' -d '{"from":"${new Date(Date.now() - 72 * 3600_000).toISOString()}"}'
  curl -s ${base}/reconciliations            # the run and its report
  curl -s '${base}/enrollments?email=demo.lost.purchase@example.com'
`
    : `
Reconciliation: HOTMART_API=fake npm start runs it against a fake Hotmart API (README, "Reconciliation").
`
}
Ctrl-C stops everything.
`);
bannerShown = true;
for (const [request, status] of failed) {
  console.error(`npm start: ${request} answered ${status || 'nothing'}: that function cannot start; its error is above.`);
}
