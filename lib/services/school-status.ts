import type { School } from '../domain/school.ts';
import type { SchoolStatus } from '../domain/school-status.ts';
import { DAY_MS, schoolStatus, WEEK_MS } from '../domain/school-status.ts';
import type { SchoolCredentialsRead } from './credential-ports.ts';
import type { StatusReader } from './ports.ts';

export type StatusDeps = { status: StatusReader; credentials: () => Promise<SchoolCredentialsRead>; now?: () => number };

/**
 * A school's status, computed on read with parallel queries through its own keys: nothing is
 * added to the webhook's transaction. Its counts are as fresh as the indexes (eventually
 * consistent, well within the 30 s the contract allows).
 */
export async function readSchoolStatus(school: School, deps: StatusDeps): Promise<SchoolStatus> {
  const now = (deps.now ?? Date.now)();
  const [tallies, waiting, mappings, runs, credentials] = await Promise.all([
    deps.status.deliveriesSince(now - DAY_MS),
    deps.status.waiting(),
    deps.status.mappingCounts(),
    deps.status.runs(now - WEEK_MS),
    deps.credentials(),
  ]);
  const quiet = tallies.every((tally) => tally.lastAt === null);
  return schoolStatus({
    tokens: school.tokens,
    credentials: credentials.kind === 'school' ? credentials.credentials : null,
    tallies,
    olderLastAt: quiet ? await deps.status.latestDelivery() : null,
    waiting,
    mappings,
    lastRun: runs.latest,
    weekRuns: runs.week,
    now,
  });
}
