/**
 * `npm start`: the whole service on this machine — DynamoDB Local in memory, the tables of
 * serverless.yml, and serverless-offline on 127.0.0.1:$PORT. Ctrl-C or SIGTERM stops all of it.
 *
 * `HOTMART_API=fake npm start` also starts the fake Hotmart API (scripts/fake-hotmart-api.ts)
 * with a few sales and subscriptions whose webhooks "never arrived", and points reconciliation
 * at it, so an operator can watch a run apply them.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { seedDemo, startFakeHotmartApi } from './fake-hotmart-api.ts';
import { startDynamoDbLocal } from './local/dynamodb.ts';
import { createTables } from './local/tables.ts';

const STAGE = 'local';
const DEV_TOKEN = 'dev-hottok-change-me';
const port = Number(process.env.PORT ?? 3000);
const token = process.env.HOTMART_HOTTOK || DEV_TOKEN;
const root = fileURLToPath(new URL('..', import.meta.url));

const lambdaPort = process.env.LAMBDA_PORT ?? String(port + 2);
const fakeHotmart = process.env.HOTMART_API === 'fake' ? await startFakeHotmartApi({ clientId: 'demo-client-id', clientSecret: 'demo-client-secret', pageSize: 5 }) : undefined;
if (fakeHotmart) seedDemo(fakeHotmart, Date.now());
const hotmartEnv: Record<string, string> = fakeHotmart
  ? { HOTMART_CLIENT_ID: 'demo-client-id', HOTMART_CLIENT_SECRET: 'demo-client-secret', HOTMART_BASIC: fakeHotmart.basic, HOTMART_API_URL: fakeHotmart.apiUrl, HOTMART_TOKEN_URL: fakeHotmart.tokenUrl }
  : {};

const dynamodb = await startDynamoDbLocal(process.env.DYNAMODB_PORT ? { port: Number(process.env.DYNAMODB_PORT) } : {});
const tables = await createTables(dynamodb.endpoint, `hotmart-enrollments-${STAGE}`);

const serverless = createRequire(import.meta.url).resolve('serverless/bin/serverless.js');
const offline = spawn(process.execPath, [serverless, 'offline', 'start', '--stage', STAGE], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    ...tables,
    PORT: String(port),
    LAMBDA_PORT: lambdaPort,
    // POST /reconciliations hands its run to the runner through serverless-offline's Lambda endpoint.
    LAMBDA_ENDPOINT: `http://127.0.0.1:${lambdaPort}`,
    ...hotmartEnv,
    DYNAMODB_ENDPOINT: dynamodb.endpoint,
    DYNAMODB_REQUEST_TIMEOUT_MS: process.env.DYNAMODB_REQUEST_TIMEOUT_MS ?? '3000',
    HOTMART_HOTTOK: token,
  },
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (offline.exitCode === null) offline.kill('SIGTERM');
  await Promise.all([dynamodb.stop(), fakeHotmart?.close()]);
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
offline.once('exit', (code) => void stop(code ?? 1));

const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 600; i++) {
  const up = await fetch(`${base}/webhooks/hotmart`).then((r) => r.ok, () => false);
  if (up) break;
  await sleep(100);
}
const fixture = fileURLToPath(new URL('../test/fixtures/PURCHASE_APPROVED.one-time.json', import.meta.url));
console.log(`
hotmart-enrollments is running (DynamoDB Local at ${dynamodb.endpoint}, in memory).

  Webhook URL:   POST ${base}/webhooks/hotmart
  Token:         ${process.env.HOTMART_HOTTOK ? 'from HOTMART_HOTTOK' : `${DEV_TOKEN} (development default; set HOTMART_HOTTOK to change it)`}

Map the fixture's product, then post the fixture as Hotmart would:

  curl -s -X PUT ${base}/mappings/3412911 -H 'content-type: application/json' \\
    -d '{"targets":[{"type":"course","id":"edicao"}],"price":{"value":197,"currency":"BRL"}}'
  curl -s -X POST ${base}/webhooks/hotmart -H 'content-type: application/json' \\
    -H 'X-HOTMART-HOTTOK: ${process.env.HOTMART_HOTTOK ? '$HOTMART_HOTTOK' : DEV_TOKEN}' --data-binary @${fixture}
  curl -s '${base}/enrollments?email=lucas.exemplo@example.com'
${
  fakeHotmart
    ? `
Reconciliation runs against the fake Hotmart API at ${fakeHotmart.apiUrl}, which knows a few
sales and subscriptions of product 3412911 whose webhooks never came. Map the product (above), then:

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
