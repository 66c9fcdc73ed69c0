import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReconciliationRun } from '../../domain/reconciliation.ts';
import type { ReconciliationStore } from '../../services/ports.ts';
import type { PageCursors, SchoolKeys } from './keys.ts';
import { readPage } from './paging.ts';

/** Run records are kept this long, then DynamoDB's TTL removes them. */
const RUN_RETENTION_S = 90 * 24 * 3600;

function toRun(item: Record<string, unknown>): ReconciliationRun {
  const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...run } = item;
  return run as ReconciliationRun;
}

/**
 * A school's reconciliation runs and the lease that keeps them from overlapping (one per school). The lease item names
 * the run holding it and until when; a run takes it only if it is absent or expired, in the same
 * transaction that records the run, so two starters cannot both win. The runner then claims the
 * run — once: a retried or duplicated invocation finds it claimed — and the lease restarts from
 * that moment. A run that dies leaves the lease to expire, and the next run marks it abandoned.
 */
export function createReconciliationStore(db: DynamoDBDocumentClient, table: string, cursors: PageCursors, school: SchoolKeys): ReconciliationStore {
  const { keys } = school;
  const LEASE = keys.lease;
  const LIST = `${school.scope} GET /reconciliations`;
  const get = async (id: string) => {
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: keys.run(id), ConsistentRead: true }));
    return Item ? toRun(Item) : undefined;
  };
  /** Sets `set` on a run that is still running (and meets `also`). */
  const whileRunning = (id: string, set: string, values: Record<string, unknown>, also?: string) =>
    new UpdateCommand({
      TableName: table,
      Key: keys.run(id),
      UpdateExpression: `SET ${set}`,
      ConditionExpression: also ? `#status = :running AND ${also}` : '#status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ...values, ':running': 'running' },
    });
  const lease = async () => {
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: LEASE, ConsistentRead: true }));
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
                  Item: { ...LEASE, runId: run.id, leaseUntil: run.leaseUntil },
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

    async claim(id, executor, now, leaseUntil) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.run(id),
                  UpdateExpression: 'SET executor = :executor, leaseUntil = :until',
                  ConditionExpression: '#status = :running AND attribute_not_exists(executor) AND leaseUntil >= :now',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':executor': executor, ':until': leaseUntil, ':running': 'running', ':now': now },
                },
              },
              {
                Update: {
                  TableName: table,
                  Key: LEASE,
                  UpdateExpression: 'SET leaseUntil = :until',
                  ConditionExpression: 'runId = :id',
                  ExpressionAttributeValues: { ':until': leaseUntil, ':id': id },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof TransactionCanceledException) return false;
        throw error;
      }
    },

    async finish(id, executor, status, report, finishedAt) {
      const claimedBy = executor === undefined ? 'attribute_not_exists(executor)' : 'executor = :executor';
      const values = { ...(executor === undefined ? {} : { ':executor': executor }), ':report': report, ':finishedAt': finishedAt };
      try {
        await db.send(whileRunning(id, '#status = :status, report = :report, finishedAt = :finishedAt', { ...values, ':status': status }, claimedBy));
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Abandoned meanwhile (its lease expired and another run took over): the report is kept,
        // the status stays, and `lateFinish` says the two may have overlapped.
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.run(id),
            UpdateExpression: 'SET report = :report, finishedAt = :finishedAt, lateFinish = :late',
            ConditionExpression: claimedBy,
            ExpressionAttributeValues: { ...values, ':late': true },
          }),
        );
      }
      await releaseLease(id);
    },

    async list(limit, cursor) {
      const read = { query: { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.runsPartition }, ScanIndexForward: false, Limit: limit } };
      const page = await readPage(db, read, { cursors, list: LIST, cursor });
      return { items: page.items.map(toRun), nextCursor: page.nextCursor };
    },
  };

  /** The run that held an expired lease died with its Lambda; say so on its record (best effort: it informs, it guards nothing). */
  async function markAbandoned(id: string, at: number) {
    try {
      await db.send(whileRunning(id, '#status = :abandoned, finishedAt = :at', { ':abandoned': 'abandoned', ':at': at }));
    } catch {
      // already finished, or not reachable now: the run reads `abandoned` anyway once its lease has expired
    }
  }

  /** Only the holder releases the lease: a run that outlived it must not free another run's. */
  async function releaseLease(id: string) {
    try {
      await db.send(
        new DeleteCommand({
          TableName: table,
          Key: LEASE,
          ConditionExpression: 'runId = :id',
          ExpressionAttributeValues: { ':id': id },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
