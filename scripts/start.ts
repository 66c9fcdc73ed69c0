/**
 * `npm start`: the whole service on this machine — DynamoDB Local in memory, the tables of
 * serverless.yml, and serverless-offline on 127.0.0.1:$PORT. Ctrl-C or SIGTERM stops all of it.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from './local/dynamodb.ts';
import { createTables } from './local/tables.ts';

const STAGE = 'local';
const DEV_TOKEN = 'dev-hottok-change-me';
const port = Number(process.env.PORT ?? 3000);
const token = process.env.HOTMART_HOTTOK || DEV_TOKEN;
const root = fileURLToPath(new URL('..', import.meta.url));

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
    LAMBDA_PORT: process.env.LAMBDA_PORT ?? String(port + 2),
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
  await dynamodb.stop();
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

Ctrl-C stops everything.
`);
