import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { buyerEmailOfBody } from '../../domain/redact.ts';
import type { QuarantineRecord, QuarantineStore } from '../../services/ports.ts';
import type { PageCursors, SchoolKeys } from './keys.ts';
import { readPage } from './paging.ts';

function toRecord(item: Record<string, unknown>): QuarantineRecord {
  const { pk: _pk, sk: _sk, arrivalKey: _k, arrivalAt: _a, arrivalStatus: _s, ...record } = item;
  return record as QuarantineRecord;
}

/** The buyer's e-mail a quarantined delivery holds (the key of the student's index on quarantine). */
export const quarantinedBuyer = (record: Pick<QuarantineRecord, 'body' | 'contentType'>) =>
  buyerEmailOfBody(record.body, record.contentType === 'application/x-www-form-urlencoded' ? 'form' : 'json');

/** A school's quarantined deliveries: one partition of its own, listed by a Query. */
export function createQuarantineStore(db: DynamoDBDocumentClient, table: string, cursors: PageCursors, school: SchoolKeys): QuarantineStore {
  const { keys, attributes } = school;
  const LIST = `${school.scope} GET /quarantine`;
  return {
    async put(record) {
      const Item = { ...keys.quarantine(record.id), ...record, ...attributes.arrival(record.id, record.receivedAt, 'quarantined'), ...attributes.student(quarantinedBuyer(record)) };
      const { Attributes } = await db.send(new PutCommand({ TableName: table, Item, ReturnValues: 'ALL_OLD' }));
      return Attributes?.receivedAt as number | undefined;
    },

    async get(id) {
      const { Item } = await db.send(new GetCommand({ TableName: table, Key: keys.quarantine(id), ConsistentRead: true }));
      return Item ? toRecord(Item) : undefined;
    },

    async delete(id) {
      await db.send(new DeleteCommand({ TableName: table, Key: keys.quarantine(id) }));
    },

    async list(limit, cursor) {
      const read = { query: { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.quarantinePartition }, Limit: limit } };
      const page = await readPage(db, read, { cursors, list: LIST, cursor });
      return { items: page.items.map(toRecord), nextCursor: page.nextCursor };
    },
  };
}
