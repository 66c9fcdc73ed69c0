import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#lib/adapters/dynamodb/client.ts';
import { schoolShardOf } from '#lib/adapters/dynamodb/school-shard.ts';
import { CLIENT_HOOK, recordKeys } from '../../scripts/key-recorder.ts';
import { checkKeyScope, describeOffender, keySchemasFromServerlessYml } from '../../scripts/key-scope.ts';
import type { KeyRecord } from '../../scripts/key-scope.ts';
import { createTestStack } from '../helpers/stack.ts';

const { endpoint, tables } = await createTestStack();
const dir = mkdtempSync(join(tmpdir(), 'key-recorder-test-'));
const file = join(dir, 'keys.jsonl');
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The service's own client (createDocumentClient), with this test's recorder on its hook — not the
 * run's: these deliberately unscoped requests must not reach `npm test`'s gate.
 */
function recordedClient() {
  const slot = globalThis as Record<symbol, unknown>;
  const runs = slot[CLIENT_HOOK];
  slot[CLIENT_HOOK] = (client: DynamoDBClient) => recordKeys(client, file);
  try {
    return createDocumentClient({ region: 'us-east-1', endpoint, requestTimeoutMs: 3000 });
  } finally {
    slot[CLIENT_HOOK] = runs;
  }
}

describe('key-scoping gate: the recorder on DynamoDB Local', () => {
  it('records the keys of real requests made through the client, and the checker flags the unscoped ones', async () => {
    const db = recordedClient();
    const scope = 'S#school-a#k3j9x2a7bq#';
    await db.send(new PutCommand({ TableName: tables.ENROLLMENTS_TABLE, Item: { pk: `${scope}TX#HP1`, sk: 'ENROLLMENT', targetKey: `${scope}course#c1`, email: 'maria@example.com', name: 'Maria' } }));
    // deliberately unscoped: a key as the service spells it before issue 12
    await db.send(new PutCommand({ TableName: tables.EVENTS_TABLE, Item: { pk: 'EVENT#HP-unscoped', sk: 'EVENT', note: 'body' } }));
    const queried = await db.send(
      new QueryCommand({ TableName: tables.ENROLLMENTS_TABLE, IndexName: 'byTarget', KeyConditionExpression: '#t = :t', ExpressionAttributeNames: { '#t': 'targetKey' }, ExpressionAttributeValues: { ':t': `${scope}course#c1` } }),
    );
    assert.equal(queried.Items?.length, 1);
    await db.send(new ScanCommand({ TableName: tables.EVENTS_TABLE }));
    db.destroy();

    const text = readFileSync(file, 'utf8');
    const records = text.trim().split('\n').map((line) => JSON.parse(line) as KeyRecord);
    assert.deepEqual(records, [
      // The client writes the school's erasure shard on every scoped item (lib/adapters/dynamodb/school-shard.ts): an index key the gate checks too.
      { op: 'PutItem', targets: [{ table: 'enrollments', keys: [{ attribute: 'pk', value: `${scope}TX#HP1` }, { attribute: 'targetKey', index: 'byTarget', value: `${scope}course#c1` }, { attribute: 'schoolShard', index: 'bySchool', value: schoolShardOf(`${scope}TX#HP1`) }] }] },
      { op: 'PutItem', targets: [{ table: 'events', keys: [{ attribute: 'pk', value: 'EVENT#HP-unscoped' }] }] },
      { op: 'Query', targets: [{ table: 'enrollments', index: 'byTarget', keys: [{ attribute: 'targetKey', index: 'byTarget', value: `${scope}course#c1` }] }] },
      { op: 'Scan', targets: [{ table: 'events', scan: true, keys: [] }] },
    ]);
    assert.doesNotMatch(text, /Maria|maria@example\.com|body/, 'an item body is never recorded');

    assert.deepEqual(checkKeyScope(records, keySchemasFromServerlessYml()).map(describeOffender), [
      'PutItem events pk="EVENT#HP-unscoped": not under S#<schoolId>#<incarnation>#',
      'Scan events: a Scan outside the school registry and the cross-school-* indexes',
    ]);
  });
});
