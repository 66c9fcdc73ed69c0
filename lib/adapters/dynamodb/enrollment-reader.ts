import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ManualGrant } from '../../domain/access.ts';
import type { TxStatus } from '../../domain/transaction-status.ts';
import type { Target } from '../../domain/mapping.ts';
import { targetKey } from '../../domain/mapping.ts';
import type { SubscriptionMirror } from '../../domain/subscription-rules.ts';
import type { EnrollmentReader, EnrollmentRecord } from '../../services/ports.ts';
import type { PageCursors, SchoolKeys } from './keys.ts';
import { SUBSCRIPTION_ATTRIBUTE_PREFIX, TRANSACTION_ATTRIBUTE_PREFIX } from './keys.ts';
import { readAllItems, readPage } from './paging.ts';

function withPrefix<T>(item: Record<string, unknown>, prefix: string, read: (suffix: string, value: unknown) => T): T[] {
  return Object.entries(item)
    .filter(([name]) => name.startsWith(prefix))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => read(name.slice(prefix.length), value));
}

/** The `manual` attribute, as the API shows it (who granted stays in the item). */
function manualOf(item: Record<string, unknown>): ManualGrant | null {
  const manual = item.manual as (ManualGrant & { grantedBy?: string }) | undefined;
  return manual ? { grantedAt: manual.grantedAt, note: manual.note ?? null, until: manual.until ?? null } : null;
}

export function toRecord(item: Record<string, unknown>): EnrollmentRecord {
  return {
    email: item.email as string,
    target: { type: item.targetType as Target['type'], id: item.targetId as string },
    productId: (item.productId as string | undefined) ?? null,
    transactions: withPrefix(item, TRANSACTION_ATTRIBUTE_PREFIX, (transaction, status) => ({ transaction, status: status as TxStatus })),
    subscriptions: withPrefix(item, SUBSCRIPTION_ATTRIBUTE_PREFIX, (subscriberCode, mirror) => ({
      ...(mirror as SubscriptionMirror),
      subscriberCode,
    })),
    manual: manualOf(item),
    createdAt: item.createdAt as number,
    updatedAt: item.updatedAt as number,
    lastEventId: (item.lastEventId as string | undefined) ?? null,
  };
}

export function createEnrollmentReader(db: DynamoDBDocumentClient, table: string, cursors: PageCursors, school: SchoolKeys): EnrollmentReader {
  const { keys, attributes } = school;
  /** A roster's cursor is bound to its target (in its school): it cannot page another target's roster. */
  const rosterList = (target: Target) => `GET /enrollments?target=${attributes.rosterIndex(target)}`;
  async function byEmail(email: string): Promise<EnrollmentRecord[]> {
    const items = await readAllItems(db, {
      query: {
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.studentPartition(email), ':prefix': keys.enrollmentSortPrefix },
      },
    });
    return items.map(toRecord);
  }

  return {
    byEmail,

    async bySubscriber(subscriberCode) {
      const { Item } = await db.send(new GetCommand({ TableName: table, Key: keys.subscription(subscriberCode) }));
      if (!Item?.email) return [];
      const granted = new Set(((Item.grantedTargets as Target[]) ?? []).map(targetKey));
      return (await byEmail(Item.email as string)).filter(
        (record) => granted.has(targetKey(record.target)) && record.subscriptions.some((s) => s.subscriberCode === subscriberCode),
      );
    },

    async byTarget(target, limit, cursor) {
      const read = {
        query: {
          TableName: table,
          IndexName: attributes.rosterIndexName,
          KeyConditionExpression: 'targetKey = :targetKey',
          ExpressionAttributeValues: { ':targetKey': attributes.rosterIndex(target) },
          Limit: limit,
        },
      };
      const page = await readPage(db, read, { cursors, list: rosterList(target), cursor });
      return { items: page.items.map(toRecord), nextCursor: page.nextCursor };
    },
  };
}
