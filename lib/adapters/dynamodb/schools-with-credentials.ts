import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { scopeOf } from '../../domain/school.ts';
import type { SchoolsWithCredentials } from '../../services/reconcile-fanout.ts';
import { schoolKey } from './keys.ts';

/**
 * The registry's active schools with credentials, a page at a time (a Scan: the registry is the
 * one table that may be read across schools). `Limit` bounds the items read per page, so a page
 * holds at most that many schools, and may hold none while more follow.
 */
export function createSchoolsWithCredentials(db: DynamoDBDocumentClient, table: string): SchoolsWithCredentials {
  return {
    async page(limit, after) {
      const { Items = [], LastEvaluatedKey } = await db.send(
        new ScanCommand({
          TableName: table,
          Limit: limit,
          ...(after !== undefined ? { ExclusiveStartKey: schoolKey(after) } : {}),
          FilterExpression: 'attribute_exists(credentials) AND #state = :active',
          ProjectionExpression: 'schoolId, incarnation',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':active': 'active' },
          ConsistentRead: true,
        }),
      );
      const schools = Items.map((item) => ({ schoolId: String(item.schoolId), scope: scopeOf({ schoolId: String(item.schoolId), incarnation: String(item.incarnation) }) }));
      const next = typeof LastEvaluatedKey?.pk === 'string' ? LastEvaluatedKey.pk.replace(/^SCHOOL#/, '') : undefined;
      return next === undefined ? { schools } : { schools, after: next };
    },
  };
}
