/**
 * What the in-process measurements share: DynamoDB Local with the service's tables, the mappings the
 * deliveries need, deliveries built from the fixtures, and the exact TransactWriteItems a new mapped
 * purchase sends (captured on the wire), to replay as a floor.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { localDevelopmentPepperSource } from '#lib/adapters/secrets/pepper.ts';
import { loadConfig } from '#lib/config.ts';
import { scopeOf } from '#lib/domain/school.ts';
import { putSchool, setSchoolToken } from '#lib/services/schools.ts';
import { receiveHotmartDelivery } from '#lib/services/receive-webhook.ts';
import { startDynamoDbLocal } from '../../scripts/local/dynamodb.ts';
import { createTables } from '../../scripts/local/tables.ts';

export const root = new URL('../..', import.meta.url).pathname;
export const TOKEN = 'bench-token';
/** The school every delivery of the bench is for. */
export const SCHOOL = 'bench';
export const PRODUCT = 3412911;
export const UNMAPPED_PRODUCT = 3999999;
export const SUB_PRODUCT = 3412907;
export const MAPPING = { targets: [{ type: 'course' as const, id: 'edicao' }] };

const fixture = (name: string) => JSON.parse(readFileSync(`${root}test/fixtures/${name}`, 'utf8'));
export const oneTimeFixture = fixture('PURCHASE_APPROVED.one-time.json');
const subscriptionFixture = fixture('PURCHASE_APPROVED.json');

export type Delivery = ReturnType<typeof purchase>;

export function purchase(overrides: { productId?: number; id?: string } = {}) {
  const body = structuredClone(oneTimeFixture);
  body.id = overrides.id ?? randomUUID();
  body.data.purchase.transaction = `HP${body.id.slice(0, 8)}`;
  body.data.buyer.email = `${body.id.slice(0, 8)}@bench.example.com`;
  body.data.product.id = overrides.productId ?? PRODUCT;
  return body;
}

export function renewal(subscriberCode: string, n: number) {
  const body = structuredClone(subscriptionFixture);
  body.id = randomUUID();
  body.creation_date = Date.UTC(2026, n, 10);
  body.data.purchase.transaction = `HP${subscriberCode}${n}`;
  body.data.purchase.recurrence_number = n;
  body.data.purchase.date_next_charge = Date.UTC(2026, n + 1, 10);
  body.data.subscription.subscriber.code = subscriberCode;
  body.data.buyer.email = `${subscriberCode.toLowerCase()}@bench.example.com`;
  return body;
}

/** The API Gateway HTTP API (payload 2.0) event of one Hotmart delivery, complete. */
export const apiEvent = (body: unknown) => ({
  version: '2.0',
  routeKey: 'POST /schools/{schoolId}/webhooks/hotmart',
  rawPath: `/schools/${SCHOOL}/webhooks/hotmart`,
  rawQueryString: '',
  pathParameters: { schoolId: SCHOOL },
  headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN, 'user-agent': 'Hotmart' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'bench',
    domainName: 'bench.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'bench',
    http: { method: 'POST', path: `/schools/${SCHOOL}/webhooks/hotmart`, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'Hotmart' },
    requestId: randomUUID(),
    routeKey: 'POST /schools/{schoolId}/webhooks/hotmart',
    stage: '$default',
    time: new Date().toUTCString(),
    timeEpoch: Date.now(),
  },
  body: JSON.stringify(body),
  isBase64Encoded: false,
});
export const lambdaContext = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 6000 };

export type BenchStack = {
  endpoint: string;
  /** The bench school's scope. */
  scope: string;
  env: Record<string, string>;
  /** A bare client, for the floors. */
  raw: DynamoDBClient;
  /** The TransactWriteItems a new mapped purchase sends, rewritten for another delivery's ids. */
  sameWrites(body: Delivery): TransactWriteItemsCommandInput;
  stop(): Promise<void>;
};

export async function startBenchStack(): Promise<BenchStack> {
  const dynamodb = await startDynamoDbLocal();
  const tables = await createTables(dynamodb.endpoint, `bench-${Date.now()}`);
  const raw = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  // The Powertools peer's idempotency table: the peer's own, so not in serverless.yml.
  const IDEMPOTENCY_TABLE = `${tables.EVENTS_TABLE}-idempotency`;
  await raw.send(
    new CreateTableCommand({
      TableName: IDEMPOTENCY_TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  const env: Record<string, string> = {
    ...tables,
    IDEMPOTENCY_TABLE,
    DYNAMODB_ENDPOINT: dynamodb.endpoint,
    HOTMART_HOTTOK: TOKEN,
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'SILENT',
    AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
  };
  Object.assign(process.env, env);
  const all = createDynamoDeps(loadConfig());
  // The bench's school, through the service's code, with TOKEN as its token.
  const { school } = await putSchool(SCHOOL, 'Bench', all);
  await setSchoolToken(SCHOOL, TOKEN, { schools: all.schools, pepper: localDevelopmentPepperSource });
  const scope = scopeOf(school);
  const deps = { db: all.db, ...all.storesFor(scope) };
  await deps.mappingStore.put({ productId: String(PRODUCT) }, MAPPING);
  await deps.mappingStore.put({ productId: String(SUB_PRODUCT) }, { targets: [{ type: 'plan', id: 'mensal' }] });
  // The peer reads the same mapping item.
  await deps.db.send(new PutCommand({ TableName: tables.MAPPINGS_TABLE, Item: { pk: `PRODUCT#${PRODUCT}`, sk: 'MAPPING', productId: String(PRODUCT), ...MAPPING, version: 1 } }));

  // Capture the request body as it goes over the wire: the exact TransactWriteItems, marshalled.
  let captured: TransactWriteItemsCommandInput | undefined;
  const capture = createDynamoDeps(loadConfig());
  capture.db.middlewareStack.add(
    (next: any, ctx: any) => async (args: any) => {
      if (/^TransactWrite/.test(ctx.commandName)) {
        const body = args.request.body;
        captured = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
        delete captured!.ClientRequestToken; // the SDK's per-call idempotency token: the floor gets its own
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchCapture' },
  );
  const template = purchase();
  await receiveHotmartDelivery({ mediaType: 'json', body: JSON.stringify(template), receivedAt: Date.now() }, capture.storesFor(scope));
  const capturedText = JSON.stringify(captured);
  const sameWrites = (body: Delivery) =>
    JSON.parse(
      capturedText
        .replaceAll(template.id, body.id)
        .replaceAll(template.data.purchase.transaction, body.data.purchase.transaction)
        .replaceAll(template.data.buyer.email, body.data.buyer.email),
    ) as TransactWriteItemsCommandInput;

  return {
    endpoint: dynamodb.endpoint,
    scope,
    env,
    raw,
    sameWrites,
    async stop() {
      raw.destroy();
      await dynamodb.stop();
    },
  };
}
