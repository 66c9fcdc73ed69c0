/**
 * The cold-start floor: a Lambda handler that only builds the DynamoDB document client and
 * issues one PutItem. Anything the webhook does beyond this is its own cost.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

const endpoint = process.env.DYNAMODB_ENDPOINT;
const db = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: process.env.AWS_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  }),
);

export const handler = async (event: { body?: string }) => {
  const id = JSON.parse(event.body ?? '{}').id ?? String(Date.now());
  await db.send(new PutCommand({ TableName: process.env.EVENTS_TABLE, Item: { pk: `BASELINE#${id}`, sk: 'EVENT', body: event.body } }));
  return { statusCode: 200, body: '{"status":"processed"}' };
};
