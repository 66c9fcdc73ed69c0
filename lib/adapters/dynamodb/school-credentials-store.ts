import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SchoolCredentialsStore, StoredCredentials } from '../../services/credential-ports.ts';
import { schoolKey } from './keys.ts';

/** Only an active school's item is written: a deleted one (a tombstone) or none is `noSchool`. */
const ACTIVE = { ConditionExpression: 'attribute_exists(pk) AND #state = :active', names: { '#state': 'state' }, values: { ':active': 'active' } };

/**
 * A school's HotConnect credentials: the `credentials` attribute of its registry item
 * (`pk = SCHOOL#<schoolId>`), holding the secret only inside `sealed`. One request each.
 */
export function createSchoolCredentialsStore(db: DynamoDBDocumentClient, table: string): SchoolCredentialsStore {
  /** One conditional update of an active school's item (and `also`, when given); false when a condition failed. */
  const update = async (schoolId: string, expression: string, values: Record<string, unknown>, also?: string): Promise<boolean> => {
    try {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: schoolKey(schoolId),
          UpdateExpression: expression,
          ConditionExpression: also ? `${ACTIVE.ConditionExpression} AND ${also}` : ACTIVE.ConditionExpression,
          ExpressionAttributeNames: ACTIVE.names,
          ExpressionAttributeValues: { ...ACTIVE.values, ...values },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };
  return {
    async get(schoolId) {
      const { Item } = await db.send(
        new GetCommand({ TableName: table, Key: schoolKey(schoolId), ProjectionExpression: '#state, credentials', ExpressionAttributeNames: { '#state': 'state' }, ConsistentRead: true }),
      );
      if (!Item || Item.state !== 'active') return { kind: 'noSchool' };
      return { kind: 'school', credentials: (Item.credentials as StoredCredentials | undefined) ?? null };
    },
    async put(schoolId, credentials) {
      return (await update(schoolId, 'SET credentials = :credentials', { ':credentials': credentials })) ? 'stored' : 'noSchool';
    },
    async remove(schoolId) {
      return (await update(schoolId, 'REMOVE credentials', {})) ? 'removed' : 'noSchool';
    },
    async setLastError(schoolId, sealed, text) {
      // Only while these credentials are still the stored ones (a replaced credential keeps its own state).
      const expression = text === null ? 'REMOVE credentials.lastError' : 'SET credentials.lastError = :error';
      await update(schoolId, expression, { ':sealed': sealed, ...(text === null ? {} : { ':error': text }) }, 'credentials.sealed = :sealed');
    },
  };
}
