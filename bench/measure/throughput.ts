/**
 * Throughput: unique webhooks at a fixed concurrency through the `npm start` stack
 * (serverless-offline → webhook Lambda → DynamoDB Local), against raw PutItem calls at the same
 * concurrency on the same DynamoDB Local.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { freePort } from '../../scripts/local/dynamodb.ts';
import { MAPPING, oneTimeFixture, PRODUCT, purchase, root, TOKEN } from './stack.ts';

export const CONCURRENCY = 16;
export const REQUESTS = 1500;
const WARM_UP = 200;

export type ThroughputFigures = { concurrency: number; requests: number; httpRate: number; httpErrors: number; putRate: number };

async function pool(count: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

export async function measureThroughput(): Promise<ThroughputFigures> {
  const port = await freePort();
  const stack = spawn(process.execPath, ['--import', 'tsx', `${root}scripts/start.ts`], {
    cwd: root,
    env: { ...process.env, PORT: String(port), LAMBDA_PORT: String(await freePort()), HOTMART_HOTTOK: TOKEN, SCHOOL_ID: '', DYNAMODB_ENDPOINT: '', LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stackOutput = '';
  stack.stdout.on('data', (chunk: Buffer) => (stackOutput += chunk.toString()));
  try {
    const deadline = Date.now() + 90_000;
    while (!stackOutput.includes('Ctrl-C stops everything')) {
      if (stack.exitCode !== null) throw new Error(`npm start exited (${stack.exitCode})`);
      if (Date.now() > deadline) throw new Error('npm start did not come up');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const stackDynamo = /DynamoDB Local at (http:\/\/127\.0\.0\.1:\d+)/.exec(stackOutput)![1]!;
    const base = `http://127.0.0.1:${port}/schools/demo`; // the school npm start creates
    await fetch(`${base}/mappings/${PRODUCT}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(MAPPING) });
    const post = (body: unknown) =>
      fetch(`${base}/webhooks/hotmart`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN }, body: JSON.stringify(body) });
    await pool(WARM_UP, async () => void (await post(purchase())).arrayBuffer()); // warm every worker
    let httpErrors = 0;
    const httpRate = await pool(REQUESTS, async () => {
      const response = await post(purchase());
      if (response.status !== 200) httpErrors++;
      await response.arrayBuffer();
    });

    // The raw writes go to a table of their own on the stack's DynamoDB Local.
    const client = new DynamoDBClient({ endpoint: stackDynamo, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const TableName = `bench-raw-${Date.now()}`;
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }),
    );
    const body = JSON.stringify(oneTimeFixture);
    const putRate = await pool(REQUESTS, async (i) => {
      await client.send(new PutItemCommand({ TableName, Item: { pk: { S: `RAW#${i}#${randomUUID()}` }, sk: { S: 'RAW' }, body: { S: body } } }));
    });
    client.destroy();
    return { concurrency: CONCURRENCY, requests: REQUESTS, httpRate, httpErrors, putRate };
  } finally {
    stack.kill('SIGTERM');
    if (stack.exitCode === null) await new Promise((resolve) => stack.once('exit', resolve));
  }
}
