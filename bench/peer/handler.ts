/**
 * The peer: the same job written the way AWS documentation suggests — Powertools idempotency
 * with its DynamoDB persistence layer around a handler that parses with the Powertools parser
 * (API Gateway v2 envelope + a zod schema), reads the product's mapping, records the event and
 * grants the enrollment. Kept under bench/ only, to be measured against; never deployed.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { parse } from '@aws-lambda-powertools/parser';
import { ApiGatewayV2Envelope } from '@aws-lambda-powertools/parser/envelopes/api-gatewayv2';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import * as z from 'zod';

const endpoint = process.env.DYNAMODB_ENDPOINT;
const client = new DynamoDBClient({
  region: process.env.AWS_REGION ?? 'us-east-1',
  ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
});
const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

const HotmartSchema = z.object({
  id: z.string(),
  event: z.string(),
  creation_date: z.number(),
  data: z.object({
    product: z.object({ id: z.union([z.number(), z.string()]) }),
    buyer: z.object({ email: z.string() }),
    purchase: z.object({ transaction: z.string(), status: z.string() }),
  }),
});

const persistenceStore = new DynamoDBPersistenceLayer({ tableName: process.env.IDEMPOTENCY_TABLE!, awsSdkV3Client: client });
const config = new IdempotencyConfig({ eventKeyJmesPath: 'powertools_json(body).id' });

async function job(event: unknown, _context: Context) {
  if ((event as { headers?: Record<string, string> }).headers?.['x-hotmart-hottok'] !== process.env.HOTMART_HOTTOK) {
    return { statusCode: 401, body: '{"error":"invalid token"}' };
  }
  const hotmart = parse(event, ApiGatewayV2Envelope, JSONStringified(HotmartSchema));
  const productId = String(hotmart.data.product.id);
  const { Item: mapping } = await db.send(new GetCommand({ TableName: process.env.MAPPINGS_TABLE, Key: { pk: `PRODUCT#${productId}`, sk: 'MAPPING' } }));
  await db.send(new PutCommand({ TableName: process.env.EVENTS_TABLE, Item: { pk: `EVENT#${hotmart.id}`, sk: 'EVENT', ...hotmart } }));
  if (mapping && hotmart.event === 'PURCHASE_APPROVED') {
    for (const target of mapping.targets as { type: string; id: string }[]) {
      await db.send(
        new UpdateCommand({
          TableName: process.env.ENROLLMENTS_TABLE,
          Key: { pk: `STUDENT#${hotmart.data.buyer.email}`, sk: `TARGET#${target.type}#${target.id}` },
          UpdateExpression: 'SET #tx = :status, email = :email, targetKey = :targetKey',
          ExpressionAttributeNames: { '#tx': `tx:${hotmart.data.purchase.transaction}` },
          ExpressionAttributeValues: { ':status': 'APPROVED', ':email': hotmart.data.buyer.email, ':targetKey': `${target.type}#${target.id}` },
        }),
      );
    }
  }
  return { statusCode: 200, body: '{"status":"processed"}' };
}

export const handler = makeIdempotent(job, { persistenceStore, config });
