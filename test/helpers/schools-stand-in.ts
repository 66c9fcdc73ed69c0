import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * STAND-IN until the merge with the schools function (PUT/DELETE /schools/{schoolId}): writes a
 * school's registry item, and marks it deleted, as DESIGN12.md describes them. Once the branches
 * are merged, tests create and delete schools through that route and this file goes.
 */
const db = () =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT!, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));

export async function createSchoolStandIn(schoolId: string, name = `School ${schoolId}`): Promise<void> {
  const now = Date.now();
  const incarnation = Math.random().toString(36).slice(2, 12).padEnd(10, '0');
  await db().send(new PutCommand({ TableName: process.env.SCHOOLS_TABLE!, Item: { pk: `SCHOOL#${schoolId}`, schoolId, name, createdAt: now, updatedAt: now, incarnation, state: 'active' } }));
}

export async function deleteSchoolStandIn(schoolId: string): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: process.env.SCHOOLS_TABLE!,
      Key: { pk: `SCHOOL#${schoolId}` },
      UpdateExpression: 'SET #state = :deleted, deletedAt = :now',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':deleted': 'deleted', ':now': Date.now() },
    }),
  );
}
