import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../domain/errors.ts';
import type { Mapping, OffersOnlyProduct } from '../../domain/mapping.ts';
import { PolicySchema } from '../../domain/mapping.ts';
import type { MappingStore, Precondition } from '../../services/ports.ts';
import type { PageCursors, SchoolKeys } from './keys.ts';
import { readAllItems, readPage } from './paging.ts';

/** A stored mapping item; the policy comes back with its defaults filled in. */
export function toMapping(item: Record<string, unknown>): Mapping {
  return {
    productId: item.productId as string,
    ...(item.offerCode ? { offerCode: item.offerCode as string } : {}),
    targets: item.targets as Mapping['targets'],
    ...(item.salesUrl ? { salesUrl: item.salesUrl as string } : {}),
    ...(item.price ? { price: item.price as NonNullable<Mapping['price']> } : {}),
    policy: PolicySchema.parse(item.policy ?? {}),
    version: item.version as number,
    createdAt: item.createdAt as number,
    updatedAt: item.updatedAt as number,
  };
}

const preconditionFailed = (precondition: Precondition) =>
  new AppError(
    'MAPPING.VERSION_MISMATCH',
    precondition.ifNoneMatch === '*'
      ? 'the mapping exists already (If-None-Match: *)'
      : precondition.ifMatch === '*'
        ? 'there is no such mapping (If-Match: *)'
        : 'the mapping is not at that version (If-Match / If-None-Match); fetch it and retry',
  );

/**
 * RFC 9110 preconditions as one DynamoDB condition, so the write and its check are one atomic
 * step: `*` is the item's existence, a list of tags the item's version. Undefined: no condition;
 * null: nothing can satisfy it (an If-Match naming no version of ours).
 */
function conditionOf(precondition: Precondition): { expression: string; values: Record<string, number> } | null | undefined {
  const parts: string[] = [];
  const values: Record<string, number> = {};
  const versionIn = (versions: number[], prefix: string) => {
    const names = versions.map((version, i) => {
      values[`:${prefix}${i}`] = version;
      return `:${prefix}${i}`;
    });
    return `#version IN (${names.join(', ')})`;
  };
  const { ifMatch, ifNoneMatch } = precondition;
  if (ifMatch !== undefined) {
    if (ifMatch !== '*' && ifMatch.length === 0) return null;
    parts.push(ifMatch === '*' ? 'attribute_exists(pk)' : versionIn(ifMatch, 'match'));
  }
  if (ifNoneMatch !== undefined && (ifNoneMatch === '*' || ifNoneMatch.length > 0)) {
    parts.push(ifNoneMatch === '*' ? 'attribute_not_exists(pk)' : `(attribute_not_exists(pk) OR NOT ${versionIn(ifNoneMatch, 'none')})`);
  }
  return parts.length ? { expression: parts.join(' AND '), values } : undefined;
}

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function createMappingStore(db: DynamoDBDocumentClient, table: string, cursors: PageCursors, school: SchoolKeys): MappingStore {
  const { keys } = school;
  /** The cursor is bound to the school: one of another school's lists is a 400. */
  const LIST = `${school.scope} GET /mappings`;
  return {
    async get(productId) {
      const items = await readAllItems(db, {
        query: {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :product)',
          ExpressionAttributeValues: { ':pk': keys.mappingsPartition, ':product': keys.productSortPrefix(productId) },
          ConsistentRead: true,
        },
      });
      const mappings = items.map(toMapping);
      return {
        product: mappings.find((m) => m.offerCode === undefined) ?? null,
        offers: mappings.filter((m) => m.offerCode !== undefined),
      };
    },

    async put({ productId, offerCode }, input, precondition = {}) {
      const condition = conditionOf(precondition);
      if (condition === null) throw preconditionFailed(precondition);
      const now = Date.now();
      const set = ['productId = :productId', 'targets = :targets', 'updatedAt = :now', 'createdAt = if_not_exists(createdAt, :now)'];
      const remove: string[] = [];
      const values: Record<string, unknown> = { ':productId': productId, ':targets': input.targets, ':now': now, ':one': 1 };
      if (offerCode !== undefined) {
        set.push('offerCode = :offerCode');
        values[':offerCode'] = offerCode;
      }
      for (const field of ['salesUrl', 'price', 'policy'] as const) {
        if (input[field] === undefined) remove.push(field);
        else {
          set.push(`${field} = :${field}`);
          values[`:${field}`] = input[field];
        }
      }
      Object.assign(values, condition?.values);
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.mapping(productId, offerCode),
            UpdateExpression: `SET ${set.join(', ')} ADD #version :one${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
            ...(condition ? { ConditionExpression: condition.expression } : {}),
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        const mapping = toMapping(Attributes!);
        // Created by this request, even if the SDK retried it (a retry can bump the version past 1).
        return { mapping, created: mapping.createdAt === now };
      } catch (error) {
        if (isConditionFailure(error)) throw preconditionFailed(precondition);
        throw error;
      }
    },

    async delete({ productId, offerCode }, precondition = {}) {
      const condition = conditionOf(precondition);
      if (condition === null) throw preconditionFailed(precondition);
      try {
        const { Attributes } = await db.send(
          new DeleteCommand({
            TableName: table,
            Key: keys.mapping(productId, offerCode),
            ReturnValues: 'ALL_OLD',
            ...(condition
              ? {
                  ConditionExpression: condition.expression,
                  ...(Object.keys(condition.values).length ? { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: condition.values } : {}),
                }
              : {}),
          }),
        );
        return Attributes !== undefined;
      } catch (error) {
        if (isConditionFailure(error)) throw preconditionFailed(precondition);
        throw error;
      }
    },

    async list(limit, cursor) {
      const read = { query: { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.mappingsPartition }, Limit: limit } };
      const page = await readPage(db, read, { cursors, list: LIST, cursor });
      // The school's partition holds a product's items together, its mapping ('MAPPING' sorts before
      // 'OFFER#') first: an offer item that opens its product, here or after the cursor, has no mapping before it.
      const items: (Mapping | OffersOnlyProduct)[] = [];
      let previous = page.startKey ? keys.productOfMappingSort(String(page.startKey.sk)) : undefined;
      for (const item of page.items) {
        if (keys.isProductMapping(item)) items.push(toMapping(item));
        else if (item.productId !== previous) items.push({ productId: item.productId as string, targets: null });
        previous = item.productId as string;
      }
      return { items, nextCursor: page.nextCursor };
    },
  };
}
