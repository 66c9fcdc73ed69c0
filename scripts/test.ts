/**
 * `npm test` after the type-check: starts DynamoDB Local, runs every unit and integration test
 * against it (node:test, one process per file), stops it. Exits with the tests' status.
 *
 * The service logs at DEBUG throughout the run; its log lines are kept out of the report,
 * collected, and checked at the end: no webhook token, CPF, phone or address may appear in them.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { startDynamoDbLocal } from './local/dynamodb.ts';
import { warmUpDynamoDbLocal } from './local/warm-up.ts';

const dirs = ['test/unit', 'test/integration'];
const only = process.argv.slice(2);
const files =
  only.length > 0
    ? only
    : dirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `${dir}/${f}`));

/** The test tokens (test/helpers/stack.ts) and the fixtures' personal data. */
const NEVER_LOGGED = [
  // webhook tokens (test/helpers/stack.ts, fixtures)
  'test-hottok-0123456789abcdef', 'test-hottok-previous-987654321', 'FAKE-HOTTOK',
  // Hotmart API credentials and their Basic token (test/helpers/reconciliation.ts)
  'test-client-id-5f1c2a', 'test-client-secret-9d8e7f6a5b4c', Buffer.from('test-client-id-5f1c2a:test-client-secret-9d8e7f6a5b4c').toString('base64'),
  // fixtures' CPF, phones and address
  '12345678909', '11987654321', '987654321', 'Rua Fict', '01000000',
];
const LOG_LINE = /^\s*# \{"level":/;

const dynamodb = await startDynamoDbLocal();
const warming = Date.now();
await warmUpDynamoDbLocal(dynamodb.endpoint);
process.stderr.write(`# DynamoDB Local warmed up in ${Date.now() - warming} ms\n`);
let code = 1;
const logs: string[] = [];
try {
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DYNAMODB_ENDPOINT: dynamodb.endpoint, LOG_LEVEL: process.env.LOG_LEVEL ?? 'DEBUG' },
  });
  for await (const line of createInterface({ input: child.stdout })) {
    if (LOG_LINE.test(line)) logs.push(line);
    else process.stdout.write(`${line}\n`);
  }
  code = await new Promise<number>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)))));
} finally {
  await dynamodb.stop();
}
const leaks = NEVER_LOGGED.filter((secret) => logs.some((line) => line.includes(secret)));
if (leaks.length > 0) {
  process.stderr.write(`# FAILED: the service's logs contain ${leaks.join(', ')}\n`);
  code = 1;
} else {
  process.stderr.write(`# logs: ${logs.length} service log lines captured from the whole run; none holds a token, CPF, phone or address\n`);
}
process.exit(code);
