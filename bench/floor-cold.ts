/**
 * The cold-start floor for the same work: a handler that builds a bare DynamoDB client and issues
 * the very requests the webhook's first delivery needs — the mapping Query and the captured
 * TransactWriteItems (given, with fresh ids, in BENCH_WRITES) — and nothing else.
 */
import { DynamoDBClient, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';

const endpoint = process.env.DYNAMODB_ENDPOINT;
const db = new DynamoDBClient({
  region: process.env.AWS_REGION ?? 'us-east-1',
  ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
});

export const handler = async () => {
  await db.send(
    new QueryCommand({
      TableName: process.env.MAPPINGS_TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: process.env.BENCH_MAPPING_PK! } },
      ConsistentRead: true,
    }),
  );
  await db.send(new TransactWriteItemsCommand(JSON.parse(process.env.BENCH_WRITES!)));
  return { statusCode: 200, body: '{"status":"processed"}' };
};
