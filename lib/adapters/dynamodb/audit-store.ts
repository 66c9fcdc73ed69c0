import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../../config.ts';
import type { AuditLog, AuditRecord } from '../../services/audit-ports.ts';
import { auditExpiry } from '../../services/audit-ports.ts';
import { createDocumentClient } from './client.ts';
import type { PageCursors } from './keys.ts';
import { auditKeys, pageCursors } from './keys.ts';
import { readPage } from './paging.ts';

const FIELDS = ['schoolId', 'at', 'by', 'route', 'action', 'ids', 'email', 'change'] as const;

function toRecord(item: Record<string, unknown>): AuditRecord {
  return Object.fromEntries(FIELDS.filter((field) => item[field] !== undefined).map((field) => [field, item[field]])) as AuditRecord;
}

/**
 * The audit trail: one item per administrative write under the school id's partition (not its
 * scope: the trail outlives the school), newest first by its sort key, expiring by TTL a year on.
 */
export function createAuditLog(db: DynamoDBDocumentClient, table: string, cursors: PageCursors): AuditLog {
  return {
    async write(record) {
      const keys = auditKeys(record.schoolId);
      const Item = {
        ...keys.record(record.at, randomUUID()),
        ...record,
        ...(record.email !== undefined ? keys.student(record.email) : {}),
        expiresAt: auditExpiry(record.at),
      };
      await db.send(new PutCommand({ TableName: table, Item }));
    },

    async list(schoolId, limit, cursor) {
      const { partition } = auditKeys(schoolId);
      const read = { query: { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false, Limit: limit } };
      const page = await readPage(db, read, { cursors, list: `${partition} GET /audit`, cursor });
      return { items: page.items.map(toRecord), nextCursor: page.nextCursor };
    },
  };
}

/** The audit trail of one function, over its own client (the admin functions' handlers: `audited(createAuditDeps(config), logger)`). */
export function createAuditDeps(config: Pick<Config, 'tables' | 'region' | 'dynamodbEndpoint' | 'dynamodbRequestTimeoutMs' | 'cursorSecret'>): AuditLog {
  const db = createDocumentClient({ region: config.region, requestTimeoutMs: config.dynamodbRequestTimeoutMs, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) });
  return createAuditLog(db, config.tables.audit, pageCursors(config.cursorSecret));
}
