import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ReconciliationRun } from '../../domain/reconciliation.ts';
import type { Answer, ArrivalTally, WaitingProduct } from '../../domain/school-status.ts';
import { ANSWERS, minuteOf, noAnswers, QUARANTINE_SHARD, SHARD_IDS } from '../../domain/school-status.ts';
import type { StatusReader } from '../../services/ports.ts';
import type { School } from '../../domain/school.ts';
import { scopeOf } from '../../domain/school.ts';
import type { StatusDeps } from '../../services/school-status.ts';
import type { SchoolKeys } from './keys.ts';
import { schoolKeys } from './keys.ts';
import { createSchoolCredentialsStore } from './school-credentials-store.ts';

export type StatusTables = { events: string; quarantine: string; mappings: string; reconciliations: string };

/** At most this many of a status read's queries are in flight at once. */
const IN_FLIGHT = 8;

type Send = (command: QueryCommand) => Promise<{ Items?: Record<string, unknown>[]; Count?: number; LastEvaluatedKey?: Record<string, unknown> }>;

function limitedSender(db: DynamoDBDocumentClient): Send {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (command) => {
    while (active >= IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await db.send(command);
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Every page of a Query (status reads are bounded by what the school did: see README, "The school's status"). */
async function queryAll(send: Send, input: QueryCommandInput, onItem: (item: Record<string, unknown>) => void) {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) onItem(item);
    start = page.LastEvaluatedKey;
  } while (start);
}

const later = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * The reads behind a school's status, each through the school's own keys: the `arrivals` index of
 * the events and quarantine tables (one Query per shard), the repeat counters, the `waiting`
 * index, the mappings partition and the runs partition. Eventually consistent (the status may lag).
 */
export function createStatusReader(db: DynamoDBDocumentClient, tables: StatusTables, school: SchoolKeys): StatusReader {
  const { keys, attributes } = school;
  const send = limitedSender(db);
  const arrivalsQuery = (table: string, shard: string, since: number | undefined): QueryCommandInput => ({
    TableName: table,
    IndexName: attributes.arrivalIndexName,
    KeyConditionExpression: since === undefined ? 'arrivalKey = :key' : 'arrivalKey = :key AND arrivalAt >= :since',
    ExpressionAttributeValues: { ':key': attributes.arrivalIndex(shard), ...(since === undefined ? {} : { ':since': since }) },
    ProjectionExpression: 'arrivalAt, arrivalStatus',
  });
  const forEachShard = <T>(read: (shard: string) => Promise<T>) => Promise.all(SHARD_IDS.map(read));

  /** The quarantine's items share one partition per school already: its index has one shard (QUARANTINE_SHARD). */
  const shardsOf = (table: string) => (table === tables.quarantine ? [QUARANTINE_SHARD] : SHARD_IDS);
  const arrivalsIn = async (table: string, since: number): Promise<ArrivalTally> => {
    const tally: ArrivalTally = { counts: noAnswers(), lastAt: null };
    await Promise.all(shardsOf(table).map((shard) =>
      queryAll(send, arrivalsQuery(table, shard, since), (item) => {
        const answer = item.arrivalStatus as Answer;
        if (answer in tally.counts) tally.counts[answer] += 1;
        tally.lastAt = later(tally.lastAt, item.arrivalAt as number);
      }),
    ));
    return tally;
  };

  const repeatsSince = async (since: number): Promise<ArrivalTally> => {
    const tally: ArrivalTally = { counts: noAnswers(), lastAt: null };
    await forEachShard((shard) =>
      queryAll(
        send,
        { TableName: tables.events, KeyConditionExpression: 'pk = :pk AND sk >= :since', ExpressionAttributeValues: { ':pk': keys.repeatsPartition(shard), ':since': minuteOf(since) } },
        (item) => {
          for (const answer of ANSWERS) tally.counts[answer] += Number(item[answer] ?? 0);
          tally.lastAt = later(tally.lastAt, item.lastAt as number);
        },
      ),
    );
    return tally;
  };

  const latestIn = async (table: string) => {
    const latest = await Promise.all(shardsOf(table).map(async (shard) => {
      const { Items } = await send(new QueryCommand({ ...arrivalsQuery(table, shard, undefined), ScanIndexForward: false, Limit: 1 }));
      return (Items?.[0]?.arrivalAt as number | undefined) ?? null;
    }));
    return latest.reduce(later, null);
  };

  /** The distinct products on one shard of the `waiting` index: one item read per product (skips past each). */
  const waitingProductsOn = async (shard: string, into: Set<string>) => {
    let after: string | undefined;
    for (;;) {
      const { Items } = await db.send(
        new QueryCommand({
          TableName: tables.events,
          IndexName: attributes.waitingIndexName,
          KeyConditionExpression: after === undefined ? 'waitingKey = :key' : 'waitingKey = :key AND waitingProduct > :after',
          ExpressionAttributeValues: { ':key': attributes.waitingIndex(shard), ...(after === undefined ? {} : { ':after': after }) },
          Limit: 1,
        }),
      );
      const product = Items?.[0]?.waitingProduct as string | undefined;
      if (product === undefined) return;
      into.add(product);
      after = product;
    }
  };

  const waitingFor = async (productId: string): Promise<WaitingProduct> => {
    const partition = { TableName: tables.events, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.parkedPartition(productId) } };
    let waiting = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await send(new QueryCommand({ ...partition, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) }));
      waiting += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    const { Items } = await send(new QueryCommand({ ...partition, ProjectionExpression: 'receivedAt', Limit: 1 }));
    return { productId, waiting, oldestAt: (Items?.[0]?.receivedAt as number | undefined) ?? 0 };
  };

  return {
    async deliveriesSince(since) {
      return Promise.all([arrivalsIn(tables.events, since), arrivalsIn(tables.quarantine, since), repeatsSince(since)]);
    },

    async latestDelivery() {
      return (await Promise.all([latestIn(tables.events), latestIn(tables.quarantine)])).reduce(later, null);
    },

    async waiting() {
      const products = new Set<string>();
      await forEachShard((shard) => waitingProductsOn(shard, products));
      const waiting = await Promise.all([...products].map(waitingFor));
      return waiting.filter((product) => product.waiting > 0);
    },

    async mappingCounts() {
      const counts = { products: 0, offers: 0 };
      await queryAll(
        send,
        { TableName: tables.mappings, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.mappingsPartition }, ProjectionExpression: 'sk' },
        (item) => (String(item.sk).includes('#OFFER#') ? counts.offers++ : counts.products++),
      );
      return counts;
    },

    async runs(since) {
      const partition = { TableName: tables.reconciliations, ExpressionAttributeValues: { ':pk': keys.runsPartition } };
      const [latest, week] = await Promise.all([
        send(new QueryCommand({ ...partition, KeyConditionExpression: 'pk = :pk', ScanIndexForward: false, Limit: 1 })),
        (async () => {
          const runs: ReconciliationRun[] = [];
          await queryAll(
            send,
            { ...partition, KeyConditionExpression: 'pk = :pk AND sk >= :since', ExpressionAttributeValues: { ...partition.ExpressionAttributeValues, ':since': `r-${new Date(since).toISOString().replace(/[-:.]/g, '')}` } },
            (item) => runs.push(item as ReconciliationRun),
          );
          return runs;
        })(),
      ]);
      return { latest: (latest.Items?.[0] as ReconciliationRun | undefined) ?? null, week };
    },
  };
}

/** The status of any school, for the schools function: its reads, and its registry item's credentials. */
export function createStatusDeps(db: DynamoDBDocumentClient, tables: StatusTables & { schools: string }) {
  const credentials = createSchoolCredentialsStore(db, tables.schools);
  return (school: Pick<School, 'schoolId' | 'incarnation'>): StatusDeps => ({
    status: createStatusReader(db, tables, schoolKeys(scopeOf(school))),
    credentials: () => credentials.get(school.schoolId),
  });
}
