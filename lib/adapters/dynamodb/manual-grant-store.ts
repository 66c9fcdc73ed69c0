import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Target } from '../../domain/mapping.ts';
import type { ManualGrantStore } from '../../services/ports.ts';
import { toRecord } from './enrollment-reader.ts';
import type { SchoolKeys } from './keys.ts';

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

/** The enrollment's `lastCause` (the feed's cause) for an operator's grant or removal. */
const MANUAL_CAUSE = { source: 'manual' } as const;

/**
 * Manual grants on the enrollment item: one plain map `manual` = {grantedAt, note, until,
 * grantedBy} (epoch ms, nulls for no note / no end), easy to diff. A grant is one UpdateItem that
 * creates the item with what a roster needs when absent (the fields enrollmentUpdate in
 * commit-items.ts writes, the same roster index value) and never touches the `tx:`/`sub:`
 * attributes a purchase writes, so a webhook and a grant never undo each other.
 */
export function createManualGrantStore(db: DynamoDBDocumentClient, table: string, school: SchoolKeys): ManualGrantStore {
  const { keys, attributes } = school;
  return {
    async grant(email, target, grant, by, now) {
      const manual = { grantedAt: grant.grantedAt, note: grant.note, until: grant.until, grantedBy: by };
      const set = { email, targetType: target.type, targetId: target.id, targetKey: attributes.rosterIndex(target), updatedAt: now };
      const { Attributes: old } = await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.enrollment(email, target),
          UpdateExpression:
            'SET email = :email, targetType = :type, targetId = :id, targetKey = :targetKey, updatedAt = :now, manual = :manual, lastCause = :cause, createdAt = if_not_exists(createdAt, :now)',
          ExpressionAttributeValues: { ':email': email, ':type': target.type, ':id': target.id, ':targetKey': set.targetKey, ':now': now, ':manual': manual, ':cause': MANUAL_CAUSE },
          // The item as it was: with what this update set, it is the item as it now is (one request).
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { created: old?.manual === undefined, record: toRecord({ ...old, ...set, manual, createdAt: old?.createdAt ?? now }) };
    },

    async revoke(email: string, target: Target, now: number) {
      const Key = keys.enrollment(email, target);
      let after: Record<string, unknown> | undefined;
      try {
        // First the grant goes (the feed's capture sees this change: access ends, cause manual) …
        ({ Attributes: after } = await db.send(
          new UpdateCommand({
            TableName: table,
            Key,
            UpdateExpression: 'REMOVE manual SET updatedAt = :now, lastCause = :cause',
            ConditionExpression: 'attribute_exists(manual)',
            ExpressionAttributeValues: { ':now': now, ':cause': MANUAL_CAUSE },
            ReturnValues: 'ALL_NEW',
          }),
        ));
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
      // … then an enrollment only the grant made (no purchase ever wrote its productId) goes with it, unless granted again meanwhile.
      if (after?.productId === undefined) {
        try {
          await db.send(new DeleteCommand({ TableName: table, Key, ConditionExpression: 'attribute_not_exists(manual) AND attribute_not_exists(productId)' }));
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
      return true;
    },
  };
}
