import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReconciliationReport, ReconciliationRun, RunStatus } from '../../domain/reconciliation.ts';
import type { ReconciliationStore } from '../../services/ports.ts';
import { encodeCursor, keys, startKeyOf } from './keys.ts';

/** Run records are kept this long, then DynamoDB's TTL removes them. */
const RUN_RETENTION_S = 90 * 24 * 3600;

function toRun(item: Record<string, unknown>): ReconciliationRun {
  const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...run } = item;
  return run as ReconciliationRun;
}

/**
 * Reconciliation runs and the one lease that keeps them from overlapping. The lease item names
 * the run holding it and until when; a run takes it only if it is absent or expired, in the same
 * transaction that records the run, so two starters cannot both win. A run that dies leaves the
 * lease to expire, and the next run marks it abandoned.
 */
export function createReconciliationStore(db: DynamoDBDocumentClient, table: string): ReconciliationStore {
  const get = async (id: string) => {
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: keys.run(id), ConsistentRead: true }));
    return Item ? toRun(Item) : undefined;
  };
  const lease = async () => {
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: keys.lease(), ConsistentRead: true }));
    return Item as { runId: string; leaseUntil: number } | undefined;
  };

  return {
    get,

    async start(run) {
      const held = await lease();
      if (held && held.leaseUntil >= run.startedAt) {
        return { started: false, holder: (await get(held.runId)) ?? null };
      }
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: { ...keys.lease(), runId: run.id, leaseUntil: run.leaseUntil },
                  // Exactly the lease we read (absent or expired): a concurrent starter makes this fail.
                  ConditionExpression: held ? 'runId = :held AND leaseUntil = :heldUntil' : 'attribute_not_exists(pk)',
                  ...(held ? { ExpressionAttributeValues: { ':held': held.runId, ':heldUntil': held.leaseUntil } } : {}),
                },
              },
              {
                Put: {
                  TableName: table,
                  Item: { ...keys.run(run.id), ...run, expiresAt: Math.floor(run.startedAt / 1000) + RUN_RETENTION_S },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const now = await lease();
        return { started: false, holder: now ? ((await get(now.runId)) ?? null) : null };
      }
      if (held) await markAbandoned(held.runId, run.startedAt);
      return { started: true };
    },

    async finish(id: string, status: Exclude<RunStatus, 'running' | 'abandoned'>, report: ReconciliationReport, finishedAt: number) {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.run(id),
          UpdateExpression: 'SET #status = :status, report = :report, finishedAt = :finishedAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':report': report, ':finishedAt': finishedAt },
        }),
      );
      await releaseLease(id);
    },

    async list(limit, cursor) {
      const page = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.runPartition },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: startKeyOf(cursor),
        }),
      );
      return { items: (page.Items ?? []).map(toRun), nextCursor: encodeCursor(page.LastEvaluatedKey) };
    },
  };

  /** The run that held an expired lease died with its Lambda; say so on its record. */
  async function markAbandoned(id: string, at: number) {
    try {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.run(id),
          UpdateExpression: 'SET #status = :abandoned, finishedAt = :at',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':abandoned': 'abandoned', ':running': 'running', ':at': at },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Only the holder releases the lease: a run that outlived it must not free another run's. */
  async function releaseLease(id: string) {
    try {
      await db.send(
        new DeleteCommand({
          TableName: table,
          Key: keys.lease(),
          ConditionExpression: 'runId = :id',
          ExpressionAttributeValues: { ':id': id },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
