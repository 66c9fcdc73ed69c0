/**
 * `npm test` after the type-check: starts DynamoDB Local, runs every unit and integration test
 * against it (node:test, one process per file), stops it. Exits with the tests' status.
 *
 * The service logs at DEBUG throughout the run; its log lines are kept out of the report,
 * collected, and checked at the end: no webhook token, CPF, phone or address may appear in them.
 *
 * The key-scoping gate (issue 12; scripts/key-scope.ts): with it on, every test process records
 * the keys of each DynamoDB request the service's client makes (scripts/key-recorder.ts, preloaded)
 * into this run's temp dir; after the run, any key not under one school's scope
 * `S#<schoolId>#<incarnation>#` (or a Scan outside the registry and cross-school-* indexes) fails
 * the run. `KEY_SCOPE_GATE=on|off` overrides the default below.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { checkKeyScope, countByTable, describeOffender, keySchemasFromServerlessYml, offendingRequests } from './key-scope.ts';
import type { KeyRecord } from './key-scope.ts';
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

// The key-scoping gate is on by default (every key school-scoped); KEY_SCOPE_GATE=off skips it for a run.
const KEY_SCOPE_GATE_DEFAULT: 'on' | 'off' = 'on';
const keyScopeGate = (process.env.KEY_SCOPE_GATE ?? KEY_SCOPE_GATE_DEFAULT) === 'on';
const keyRecords = keyScopeGate ? mkdtempSync(join(tmpdir(), 'key-scope-')) : undefined;

const dynamodb = await startDynamoDbLocal();
const warming = Date.now();
await warmUpDynamoDbLocal(dynamodb.endpoint);
process.stderr.write(`# DynamoDB Local warmed up in ${Date.now() - warming} ms\n`);
let code = 1;
const logs: string[] = [];
// Answers the integration tests validated against docs/openapi.json (test/helpers/openapi-answers.ts), one line per test process.
const answersFile = join(mkdtempSync(join(tmpdir(), 'openapi-answers-')), 'answers.jsonl');
try {
  const recorder = keyRecords ? ['--import', new URL('./key-recorder.ts', import.meta.url).pathname] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...recorder, '--test', '--test-concurrency=2', ...files], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      DYNAMODB_ENDPOINT: dynamodb.endpoint,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'DEBUG',
      ...(keyRecords ? { DYNAMODB_KEY_RECORD: keyRecords } : {}),
      OPENAPI_ANSWERS_FILE: answersFile,
    },
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
{
  const tally = new Map<string, number>();
  const lines = existsSync(answersFile) ? readFileSync(answersFile, 'utf8').split('\n').filter(Boolean) : [];
  for (const line of lines) for (const [key, count] of Object.entries(JSON.parse(line) as Record<string, number>)) tally.set(key, (tally.get(key) ?? 0) + count);
  const routes = new Set([...tally.keys()].map((key) => key.replace(/ \d{3}$/, '')));
  const total = [...tally.values()].reduce((sum, count) => sum + count, 0);
  process.stderr.write(`# openapi: ${total} answers of ${routes.size} routes (${tally.size} route-statuses) validated against docs/openapi.json\n`);
  const documented = Object.entries(JSON.parse(readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8')).paths as Record<string, object>).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
  );
  const unexercised = documented.filter((route) => !routes.has(route));
  if (total > 0 && unexercised.length > 0) process.stderr.write(`# openapi: routes no test of this run answered through test/helpers/stack.ts: ${unexercised.join(', ')}\n`);
  rmSync(dirname(answersFile), { recursive: true, force: true });
}
if (keyRecords) {
  try {
    const records = readdirSync(keyRecords)
      .filter((file) => file.endsWith('.jsonl'))
      .flatMap((file) => readFileSync(join(keyRecords, file), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as KeyRecord));
    const offenders = checkKeyScope(records, keySchemasFromServerlessYml());
    if (only.length === 0 && records.length === 0) {
      process.stderr.write('# FAILED: key-scoping gate: the full suite recorded no DynamoDB request: the recorder is not installed\n');
      code = 1;
    } else if (offenders.length > 0) {
      const perTable = Object.entries(countByTable(offenders)).map(([table, count]) => `${table} ${count}`).join(', ');
      process.stderr.write(`# FAILED: key-scoping gate: ${offendingRequests(offenders)} of ${records.length} DynamoDB requests are not scoped to one school, ${offenders.length} unscoped keys or Scans (${perTable}); the first:\n`);
      for (const offender of offenders.slice(0, 10)) process.stderr.write(`#   ${describeOffender(offender)}\n`);
      code = 1;
    } else {
      process.stderr.write(`# key scope: ${records.length} DynamoDB requests recorded; every key is under one school's scope\n`);
    }
  } finally {
    rmSync(keyRecords, { recursive: true, force: true });
  }
}
process.exit(code);
