import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { createTables } from './tables.ts';

/**
 * A freshly started DynamoDB Local (a JVM) serves its first few hundred transactions several
 * times slower than later ones; on a busy 2-core machine a test's burst could then outlive its
 * Lambda deadline. Run the kinds of request the service makes a few hundred times, on throwaway
 * tables of serverless.yml, so the tests meet a warm engine — as they would meet DynamoDB.
 */
export async function warmUpDynamoDbLocal(endpoint: string, rounds = 10, concurrency = 10): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const tables = await createTables(endpoint, `warmup-${randomUUID().slice(0, 8)}`);
  const events = tables.EVENTS_TABLE!;
  const enrollments = tables.ENROLLMENTS_TABLE!;
  try {
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        Array.from({ length: concurrency }, async (_, i) => {
          const id = `${round}-${i % 3}`;
          await client
            .send(
              new TransactWriteItemsCommand({
                TransactItems: [
                  { Put: { TableName: events, Item: { pk: { S: `EVENT#${id}` }, sk: { S: 'EVENT' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
                  { Update: { TableName: enrollments, Key: { pk: { S: `STUDENT#${i}` }, sk: { S: 'TARGET#course#warm' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: String(round) } } } },
                ],
              }),
            )
            .catch(() => undefined); // conflicts and failed conditions are part of the exercise
          await client.send(new QueryCommand({ TableName: enrollments, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `STUDENT#${i}` } } }));
        }),
      );
    }
  } finally {
    await Promise.all(Object.values(tables).map((TableName) => client.send(new DeleteTableCommand({ TableName })).catch(() => undefined)));
    client.destroy();
  }
}
