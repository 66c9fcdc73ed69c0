/**
 * The key-scoping gate's recorder, preloaded by scripts/test.ts into every test process
 * (`node --import ./scripts/key-recorder.ts`). When DYNAMODB_KEY_RECORD names a directory, it
 * registers the hook lib/adapters/dynamodb/client.ts calls on each client it creates: a middleware
 * that appends one JSON line per request to `<dir>/<pid>.jsonl` — the operation, the tables and
 * indexes, and the key values (scripts/key-scope.ts `keysOf`), never an item's other attributes.
 *
 * The recorder is never imported by lib/: production code only calls a hook it finds on
 * globalThis, so no bundle carries this file and nothing is loaded when the gate is off.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { keySchemasFromServerlessYml, keysOf } from './key-scope.ts';
import type { KeyRecord, KeySchemas } from './key-scope.ts';

/** The symbol client.ts looks up (kept in step with it). */
export const CLIENT_HOOK = Symbol.for('hotmart-enrollments.dynamodb-client-created');

/** Adds the recording middleware to a client; every request is recorded before it is sent (failed ones too). */
export function recordKeys(client: DynamoDBClient, file: string, schemas: KeySchemas = keySchemasFromServerlessYml()): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName ?? '').replace(/Command$/, '');
      const targets = keysOf(op, args.input as Record<string, unknown>, schemas);
      if (targets.length > 0) appendFileSync(file, `${JSON.stringify({ op, targets } satisfies KeyRecord)}\n`);
      return next(args);
    },
    { step: 'serialize', priority: 'high', name: 'keyScopeRecorder' },
  );
}

const dir = process.env.DYNAMODB_KEY_RECORD;
if (dir) {
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/${process.pid}.jsonl`;
  let schemas: KeySchemas | undefined;
  (globalThis as Record<symbol, unknown>)[CLIENT_HOOK] = (client: DynamoDBClient) => recordKeys(client, file, (schemas ??= keySchemasFromServerlessYml()));
}
