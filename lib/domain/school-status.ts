import { createHash } from 'node:crypto';
import type { ReconciliationRun } from './reconciliation.ts';
import { effectiveStatus } from './reconciliation.ts';
import type { TokenHashes } from './school.ts';

/**
 * The school's status (GET /schools/{schoolId}): computed when read, from items the service
 * writes anyway, so no shared per-school item enters the webhook's transaction. Every delivery's
 * own item carries its answer on a sparse index spread over SHARDS partitions (a launch's
 * hundreds of deliveries a second never meet on one); only a same-id repeat, which writes nothing
 * else, adds a per-minute counter item (on a shard too).
 */
export const SHARDS = 16;
export const SHARD_IDS = Array.from({ length: SHARDS }, (_, i) => i.toString(16));
/** The shard of an item, from its id (stable: a rewrite of the same item stays on its shard). */
export const shardOf = (id: string) => (createHash('sha256').update(id).digest()[0]! % SHARDS).toString(16);
/** Quarantined deliveries share one partition per school in their table already: their `arrivals` entries keep to one shard too. */
export const QUARANTINE_SHARD = '0';

export const DAY_MS = 24 * 3600_000;
export const WEEK_MS = 7 * DAY_MS;
/** A repeat counter's bucket: the minute, as an ISO prefix (sorts as time). */
export const minuteOf = (at: number) => new Date(at).toISOString().slice(0, 16);

export const ANSWERS = ['processed', 'duplicate', 'unmapped', 'ignored', 'test', 'quarantined'] as const;
export type Answer = (typeof ANSWERS)[number];
export type AnswerCounts = Record<Answer, number>;
export const noAnswers = (): AnswerCounts => ({ processed: 0, duplicate: 0, unmapped: 0, ignored: 0, test: 0, quarantined: 0 });

/** Answers counted over a time range, and the latest delivery seen (epoch ms) or null. */
export type ArrivalTally = { counts: AnswerCounts; lastAt: number | null };

export type WaitingProduct = { productId: string; waiting: number; oldestAt: number };

export type StatusFacts = {
  tokens?: TokenHashes | undefined;
  credentials: { verifiedAt: number; lastError?: string | undefined } | null;
  /** The last 24 h: deliveries' own items, and same-id repeats' counters. */
  tallies: ArrivalTally[];
  /** The latest delivery ever, when none came in the last 24 h. */
  olderLastAt: number | null;
  waiting: WaitingProduct[];
  mappings: { products: number; offers: number };
  /** The latest run, and the runs started in the last 7 days. */
  lastRun: ReconciliationRun | null;
  weekRuns: ReconciliationRun[];
  now: number;
};

const iso = (at: number | null | undefined) => (at === null || at === undefined ? null : new Date(at).toISOString());

/** What a run applied that no webhook had delivered: its grants, revocations and other changes. */
export const lostWebhooksOf = (run: ReconciliationRun) => (run.report ? run.report.applied.grants + run.report.applied.revocations + run.report.applied.other : 0);

/** The status object, exactly as the API shows it. */
export function schoolStatus(facts: StatusFacts) {
  const last24h = noAnswers();
  let lastAt: number | null = null;
  for (const tally of facts.tallies) {
    for (const answer of ANSWERS) last24h[answer] += tally.counts[answer];
    if (tally.lastAt !== null && (lastAt === null || tally.lastAt > lastAt)) lastAt = tally.lastAt;
  }
  const run = facts.lastRun;
  return {
    token: { configured: Boolean(facts.tokens?.current), previousAccepted: Boolean(facts.tokens?.previous) },
    credentials: { configured: facts.credentials !== null, verifiedAt: iso(facts.credentials?.verifiedAt), lastError: facts.credentials?.lastError ?? null },
    webhook: { lastDeliveryAt: iso(lastAt ?? facts.olderLastAt), last24h },
    unmapped: [...facts.waiting]
      .sort((a, b) => a.oldestAt - b.oldestAt || a.productId.localeCompare(b.productId))
      .map((product) => ({ productId: product.productId, waiting: product.waiting, oldestAt: iso(product.oldestAt) })),
    reconciliation: {
      lastRunId: run?.id ?? null,
      lastStatus: run ? effectiveStatus(run, facts.now) : null,
      lastFinishedAt: iso(run?.finishedAt),
      lostWebhooksFound7d: facts.weekRuns.reduce((sum, weekRun) => sum + lostWebhooksOf(weekRun), 0),
    },
    mappings: facts.mappings,
  };
}

export type SchoolStatus = ReturnType<typeof schoolStatus>;
