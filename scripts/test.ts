/**
 * `npm test` after the type-check: starts DynamoDB Local, runs every unit and integration test
 * against it (node:test, one process per file), stops it. Exits with the tests' status.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { startDynamoDbLocal } from './local/dynamodb.ts';

const dirs = ['test/unit', 'test/integration'];
const only = process.argv.slice(2);
const files =
  only.length > 0
    ? only
    : dirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `${dir}/${f}`));

const dynamodb = await startDynamoDbLocal();
let code = 1;
try {
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
    stdio: 'inherit',
    env: { ...process.env, DYNAMODB_ENDPOINT: dynamodb.endpoint, LOG_LEVEL: process.env.LOG_LEVEL ?? 'SILENT' },
  });
  code = await new Promise<number>((resolve) => child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
} finally {
  await dynamodb.stop();
}
process.exit(code);
