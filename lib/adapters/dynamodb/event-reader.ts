import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../domain/errors.ts';
import type { EventReader, StoredEvent } from '../../services/ports.ts';
import { toStoredEvent } from './event-store.ts';
import type { PageCursors, SchoolKeys } from './keys.ts';
import { EVENT_RECORD_SORT } from './keys.ts';
import { readPage } from './paging.ts';

/** BatchGet's UnprocessedKeys are asked again this many times (the SDK already retried each request). */
const BATCH_ATTEMPTS = 3;

/**
 * The event records of one transaction (the sparse `byTransaction` index, by receipt) or of one
 * buyer (the `byStudent` index, event records only): both indexes are KEYS_ONLY, so each page of
 * keys is read with one BatchGet. Pages are behind the opaque cursors of every list.
 */
export function createEventReader(db: DynamoDBDocumentClient, table: string, cursors: PageCursors, school: SchoolKeys): EventReader {
  const { attributes } = school;

  async function itemsOf(keys: Record<string, unknown>[]): Promise<StoredEvent[]> {
    const found = new Map<string, Record<string, unknown>>();
    let pending = keys.map(({ pk, sk }) => ({ pk, sk }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === BATCH_ATTEMPTS) throw new AppError('STORAGE.UNAVAILABLE', 'events could not be read; try again');
      const answer = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }));
      for (const item of answer.Responses?.[table] ?? []) found.set(String(item.pk), item);
      pending = (answer.UnprocessedKeys?.[table]?.Keys ?? []) as typeof pending;
    }
    // In the index's order; an item gone since (expired, erased) is left out.
    return keys.flatMap(({ pk }) => {
      const item = found.get(String(pk));
      return item ? [toStoredEvent(item)] : [];
    });
  }

  async function page(list: string, query: Record<string, unknown>, limit: number, cursor: string | undefined) {
    const read = { query: { TableName: table, Limit: limit, ...query } };
    const { items, nextCursor } = await readPage(db, read, { cursors, list, cursor });
    return { items: items.length === 0 ? [] : await itemsOf(items), nextCursor };
  }

  return {
    byTransaction(transaction, limit, cursor) {
      return page(`${school.scope} GET /events?transaction=${transaction}`, {
        IndexName: attributes.transactionIndexName,
        KeyConditionExpression: 'txKey = :tx',
        ExpressionAttributeValues: { ':tx': attributes.transaction(transaction).txKey },
      }, limit, cursor);
    },

    async byEmail(email, limit, cursor) {
      const found = await page(`${school.scope} GET /events?email=${email}`, {
        IndexName: attributes.studentIndexName,
        KeyConditionExpression: 'studentKey = :student',
        // The index also holds parked copies of purchases: their event record is listed already.
        FilterExpression: 'sk = :event',
        ExpressionAttributeValues: { ':student': attributes.student(email).studentKey, ':event': EVENT_RECORD_SORT },
      }, limit, cursor);
      // byStudent has no sort key: a page is shown in order of receipt.
      return { ...found, items: found.items.sort((a, b) => a.receivedAt - b.receivedAt) };
    },
  };
}
