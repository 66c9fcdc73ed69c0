import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SchoolKeys } from './keys.ts';
import { readAllItems } from './paging.ts';

/**
 * A student's erasure in the feed table (lib/adapters/dynamodb/erasure-store.ts calls it): the
 * stored events that name them get the pseudonym (in the body pushed and pulled, and as their
 * byStudent key), and each feed state moves to the pseudonym's partition with its sequence and
 * state (a manual grant's note nulled, as on the enrollment), so the moved enrollment announces
 * nothing and its next event continues the sequence. Re-runnable: what is done already is skipped.
 */
export async function eraseFromFeed(db: DynamoDBDocumentClient, table: string, school: SchoolKeys, spellings: ReadonlySet<string>, pseudonym: string): Promise<number> {
  const { keys, attributes } = school;
  let changed = 0;
  for (const spelt of spellings) {
    const query = { TableName: table, IndexName: attributes.studentIndexName, KeyConditionExpression: 'studentKey = :student', ExpressionAttributeValues: { ':student': attributes.student(spelt).studentKey } };
    for (const { pk, sk } of await readAllItems(db, { query })) {
      const { Item } = await db.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }));
      if (typeof Item?.body !== 'string') continue;
      const event = JSON.parse(Item.body);
      event.enrollment = { ...event.enrollment, email: pseudonym, ...(event.enrollment?.manual ? { manual: { ...event.enrollment.manual, note: null } } : {}) };
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk, sk },
          UpdateExpression: 'SET body = :body, studentKey = :student',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':body': JSON.stringify(event), ':student': attributes.student(pseudonym).studentKey },
        }),
      );
      changed++;
    }
    const states = { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.feedStatePartition(spelt) }, ConsistentRead: true };
    for (const item of await readAllItems(db, { query: states })) {
      const state = item.state?.manual ? { ...item.state, manual: { ...item.state.manual, note: null } } : item.state;
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { ...item, pk: keys.feedStatePartition(pseudonym), email: pseudonym, state } } },
            { Delete: { TableName: table, Key: { pk: item.pk, sk: item.sk } } },
          ],
        }),
      );
      changed++;
    }
  }
  return changed;
}
