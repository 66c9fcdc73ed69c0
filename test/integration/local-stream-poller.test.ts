import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LocalStreamPoller } from '#lib/adapters/local/stream-poller.ts';
import type { StreamFailure, StreamHandler } from '#lib/adapters/local/stream-poller.ts';
import { createTableInput } from '../../scripts/local/tables.ts';

const endpoint = process.env.DYNAMODB_ENDPOINT!;
const dynamodb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
after(() => dynamodb.destroy());

/** A throwaway table declared as serverless.yml declares one (CloudFormation's StreamSpecification). */
async function streamTable(): Promise<string> {
  const TableName = `stream-poller-${randomUUID()}`;
  const resource = {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      TableName: 'ignored',
      BillingMode: 'PAY_PER_REQUEST' as const,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' as const },
    },
  };
  await dynamodb.send(new CreateTableCommand(createTableInput(resource, TableName)));
  return TableName;
}
const put = (TableName: string, pk: string, n: number) => dynamodb.send(new PutItemCommand({ TableName, Item: { pk: { S: pk }, n: { N: String(n) } } }));
const pkOf = (record: DynamoDBRecord) => (record.dynamodb!.NewImage ?? record.dynamodb!.OldImage)!.pk!.S!;

/** A handler that records what it is given and resolves `reached(n)` once n records were handled in all. */
function recorder(decide: (record: DynamoDBRecord) => 'ok' | 'fail' | 'throw' = () => 'ok') {
  const calls: DynamoDBStreamEvent[] = [];
  const handled: DynamoDBRecord[] = [];
  const wanted: { n: number; resolve: () => void }[] = [];
  const handler: StreamHandler = async (event): Promise<DynamoDBBatchResponse> => {
    calls.push(event);
    const batchItemFailures: { itemIdentifier: string }[] = [];
    const done: DynamoDBRecord[] = []; // what Lambda checkpoints: the records before the first failure
    for (const record of event.Records) {
      const decision = decide(record);
      if (decision === 'throw') throw new Error('poison');
      if (decision === 'fail') batchItemFailures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! });
      else if (batchItemFailures.length === 0) done.push(record);
    }
    handled.push(...done);
    for (const w of wanted.filter((w) => handled.length >= w.n)) w.resolve();
    return { batchItemFailures };
  };
  const reached = (n: number) => new Promise<void>((resolve) => (handled.length >= n ? resolve() : wanted.push({ n, resolve })));
  return { handler, calls, handled, reached };
}

describe('LocalStreamPoller on DynamoDB Local, the stand-in for Lambda on a DynamoDB stream', () => {
  let TableName = '';
  before(async () => (TableName = await streamTable()));

  it('delivers every write in order, as Lambda shapes stream records', async () => {
    const { handler, handled, reached } = recorder();
    const poller = new LocalStreamPoller({ endpoint, tableName: TableName, handler });
    await poller.start();
    try {
      await put(TableName, 'a', 1);
      await dynamodb.send(new UpdateItemCommand({ TableName, Key: { pk: { S: 'a' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '2' } } }));
      await put(TableName, 'b', 1);
      await dynamodb.send(new DeleteItemCommand({ TableName, Key: { pk: { S: 'a' } } }));
      await reached(4);
      assert.deepEqual(handled.map((r) => `${r.eventName} ${pkOf(r)}`), ['INSERT a', 'MODIFY a', 'INSERT b', 'REMOVE a']);
      const modify = handled[1]!;
      assert.deepEqual(modify.dynamodb!.Keys, { pk: { S: 'a' } });
      assert.deepEqual(modify.dynamodb!.OldImage, { pk: { S: 'a' }, n: { N: '1' } });
      assert.deepEqual(modify.dynamodb!.NewImage, { pk: { S: 'a' }, n: { N: '2' } });
      assert.match(modify.eventSourceARN!, new RegExp(`table/${TableName}/stream/`));
      const sequences = handled.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
      assert.deepEqual([...sequences].sort((x, y) => (x < y ? -1 : 1)), sequences);
    } finally {
      await poller.stop();
    }
  });

  it('retries a reported failure from that record, N times, then sinks its metadata and lets later records flow', async () => {
    const table = await streamTable();
    for (const [i, pk] of ['first', 'poison', 'later'].entries()) await put(table, pk, i);
    const { handler, calls, handled, reached } = recorder((record) => (pkOf(record) === 'poison' ? 'fail' : 'ok'));
    const failures: StreamFailure[] = [];
    const poller = new LocalStreamPoller({ endpoint, tableName: table, handler, maximumRetryAttempts: 2, onFailure: (failure) => void failures.push(failure) });
    await poller.start();
    try {
      await reached(2);
      assert.deepEqual(handled.map(pkOf), ['first', 'later']);
      const poisonCalls = calls.filter((call) => call.Records.some((r) => pkOf(r) === 'poison'));
      assert.equal(poisonCalls.length, 3); // the first attempt and 2 retries
      assert.ok(poisonCalls.slice(1).every((call) => pkOf(call.Records[0]!) === 'poison'), 'a retry starts at the failed record');
      assert.equal(failures.length, 1);
      const poisonSequence = poisonCalls[0]!.Records.find((r) => pkOf(r) === 'poison')!.dynamodb!.SequenceNumber;
      assert.equal(failures[0]!.DDBStreamBatchInfo.startSequenceNumber, poisonSequence);
      assert.equal(failures[0]!.requestContext.condition, 'RetryAttemptsExhausted');
      assert.ok(!JSON.stringify(failures[0]).includes('poison'), 'the sink gets metadata, not the record');
    } finally {
      await poller.stop();
    }
  });

  it('isolates a record that makes the handler throw, and delivers the rest of its batch', async () => {
    const table = await streamTable();
    for (const [i, pk] of ['a', 'b', 'poison', 'c', 'd'].entries()) await put(table, pk, i);
    const { handler, handled, reached } = recorder((record) => (pkOf(record) === 'poison' ? 'throw' : 'ok'));
    const failures: StreamFailure[] = [];
    const poller = new LocalStreamPoller({ endpoint, tableName: table, handler, maximumRetryAttempts: 1, onFailure: (failure) => void failures.push(failure), onError: () => {} });
    await poller.start();
    try {
      await reached(4);
      assert.deepEqual(handled.map(pkOf), ['a', 'b', 'c', 'd']);
      assert.equal(failures.length, 1);
    } finally {
      await poller.stop();
    }
  });

  it('from LATEST, skips what was written before it started; idle() waits until it has caught up', async () => {
    const table = await streamTable();
    await put(table, 'before', 0);
    const { handler, handled } = recorder();
    const poller = new LocalStreamPoller({ endpoint, tableName: table, handler, startingPosition: 'LATEST', quietMs: 1500 });
    await poller.start();
    try {
      for (const [i, pk] of ['x', 'y', 'z'].entries()) await put(table, pk, i);
      await poller.idle();
      assert.deepEqual(handled.map(pkOf), ['x', 'y', 'z']);
    } finally {
      await poller.stop();
    }
  });
});
