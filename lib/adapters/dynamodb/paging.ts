import type { DynamoDBDocumentClient, QueryCommandInput, ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { PageCursors } from './keys.ts';

/**
 * The one paging loop of the service. A read is a Query or a Scan (its input without the start
 * key); `readAll` follows LastEvaluatedKey to the end, `readPage` reads one page behind an opaque
 * cursor (pageCursors in keys.ts), `readPageAfter` one page after a start key the caller keeps.
 */
export type Read = { query: Omit<QueryCommandInput, 'ExclusiveStartKey'> } | { scan: Omit<ScanCommandInput, 'ExclusiveStartKey'> };

type Item = Record<string, any>;
type Key = Record<string, unknown>;
type RawPage = { Items?: Item[]; Count?: number; LastEvaluatedKey?: Key };

function send(db: DynamoDBDocumentClient, read: Read, startKey: Key | undefined): Promise<RawPage> {
  return 'query' in read
    ? db.send(new QueryCommand({ ...read.query, ExclusiveStartKey: startKey }))
    : db.send(new ScanCommand({ ...read.scan, ExclusiveStartKey: startKey }));
}

async function* pages(db: DynamoDBDocumentClient, read: Read): AsyncGenerator<RawPage> {
  let startKey: Key | undefined;
  do {
    const page = await send(db, read, startKey);
    yield page;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** Every item the read finds, page after page. */
export async function* readAll(db: DynamoDBDocumentClient, read: Read): AsyncGenerator<Item> {
  for await (const page of pages(db, read)) yield* page.Items ?? [];
}

/** Every item the read finds, as one list. */
export async function readAllItems(db: DynamoDBDocumentClient, read: Read): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of readAll(db, read)) items.push(item);
  return items;
}

/** How many items the read finds (with `Select: 'COUNT'`, nothing is transferred but the count). */
export async function countAll(db: DynamoDBDocumentClient, read: Read): Promise<number> {
  let count = 0;
  for await (const page of pages(db, read)) count += page.Count ?? 0;
  return count;
}

/** One page after `startKey` (undefined: the first); `next` is the key to continue from, or undefined at the end. */
export async function readPageAfter(db: DynamoDBDocumentClient, read: Read, startKey: Key | undefined): Promise<{ items: Item[]; next: Key | undefined }> {
  const page = await send(db, read, startKey);
  return { items: page.Items ?? [], next: page.LastEvaluatedKey };
}

/**
 * One page of a listed route: `cursor` is the one this list (`list`) issued, `nextCursor` the
 * one to ask for the next page with (null at the end); `startKey` is where this page began.
 */
export async function readPage(
  db: DynamoDBDocumentClient,
  read: Read,
  page: { cursors: PageCursors; list: string; cursor: string | undefined },
): Promise<{ items: Item[]; nextCursor: string | null; startKey: Record<string, string | number> | undefined }> {
  const startKey = page.cursors.startKey(page.list, page.cursor);
  const { items, next } = await readPageAfter(db, read, startKey);
  return { items, nextCursor: page.cursors.encode(page.list, next), startKey };
}
