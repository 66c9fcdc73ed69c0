import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ErasureStore } from '../../services/ports.ts';
import { keys, SUBSCRIPTION_ATTRIBUTE_PREFIX, TRANSACTION_ATTRIBUTE_PREFIX } from './keys.ts';

type Tables = { events: string; enrollments: string; quarantine: string };

const ERASED_NAME = '[erased]';
const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

/**
 * Replaces one buyer's e-mail and name wherever the service keeps them. Events and quarantined
 * bodies have no index by e-mail, so they are scanned: an erasure is rare, and its cost grows
 * with the tables (see README).
 */
export function createErasureStore(db: DynamoDBDocumentClient, tables: Tables): ErasureStore {
  async function* scan(table: string, filter: string, values: Record<string, unknown>, names?: Record<string, string>) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: filter,
          ExpressionAttributeValues: values,
          ...(names ? { ExpressionAttributeNames: names } : {}),
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  return {
    async erase(email, pseudonym) {
      const counts = { enrollments: 0, transactions: 0, subscriptions: 0, events: 0, quarantined: 0 };
      const transactions = new Set<string>();
      const subscriptions = new Set<string>();
      const names = new Set<string>();

      // Enrollments move to the pseudonym's partition, whole, one at a time.
      const { Items: enrollments = [] } = await db.send(
        new QueryCommand({ TableName: tables.enrollments, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.studentPartition(email) }, ConsistentRead: true }),
      );
      for (const item of enrollments) {
        for (const name of Object.keys(item)) {
          if (name.startsWith(TRANSACTION_ATTRIBUTE_PREFIX)) transactions.add(name.slice(TRANSACTION_ATTRIBUTE_PREFIX.length));
          if (name.startsWith(SUBSCRIPTION_ATTRIBUTE_PREFIX)) subscriptions.add(name.slice(SUBSCRIPTION_ATTRIBUTE_PREFIX.length));
        }
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tables.enrollments, Item: { ...item, pk: keys.studentPartition(pseudonym), email: pseudonym } } },
              { Delete: { TableName: tables.enrollments, Key: { pk: item.pk, sk: item.sk } } },
            ],
          }),
        );
        counts.enrollments++;
      }

      const rename = async (key: Record<string, string>) => {
        try {
          await db.send(
            new UpdateCommand({
              TableName: tables.enrollments,
              Key: key,
              UpdateExpression: 'SET email = :pseudonym',
              ConditionExpression: 'email = :email',
              ExpressionAttributeValues: { ':pseudonym': pseudonym, ':email': email },
            }),
          );
          return 1;
        } catch (error) {
          if (isConditionFailure(error)) return 0;
          throw error;
        }
      };
      for (const transaction of transactions) counts.transactions += await rename(keys.transaction(transaction));
      for (const code of subscriptions) counts.subscriptions += await rename(keys.subscription(code));

      // Event records, and events still waiting for a mapping.
      for await (const item of scan(tables.events, 'buyerEmail = :email OR #event.buyerEmail = :email', { ':email': email }, { '#event': 'event' })) {
        const parked = typeof item.event === 'object'; // a parked item holds the whole event; a record, its name
        const name = (parked ? item.event.buyerName : item.buyerName) as string | undefined;
        if (name) names.add(name);
        await db.send(
          new UpdateCommand({
            TableName: tables.events,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: parked ? 'SET #event.buyerEmail = :pseudonym, #event.buyerName = :erased' : 'SET buyerEmail = :pseudonym, buyerName = :erased',
            ExpressionAttributeValues: { ':pseudonym': pseudonym, ':erased': ERASED_NAME },
            ...(parked ? { ExpressionAttributeNames: { '#event': 'event' } } : {}),
          }),
        );
        counts.events++;
      }

      // Quarantined bodies: their e-mail, and the names the events gave for it.
      for await (const item of scan(tables.quarantine, 'contains(body, :email)', { ':email': email })) {
        let body = item.body as string;
        body = body.split(email).join(pseudonym).split(encodeURIComponent(email)).join(encodeURIComponent(pseudonym));
        for (const name of names) body = body.split(name).join(ERASED_NAME).split(encodeURIComponent(name).replace(/%20/g, '+')).join(ERASED_NAME);
        await db.send(new PutCommand({ TableName: tables.quarantine, Item: { ...item, body } }));
        counts.quarantined++;
      }
      return counts;
    },
  };
}
