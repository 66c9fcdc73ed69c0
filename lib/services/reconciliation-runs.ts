import type { ReconciliationRun, Trigger, Window } from '../domain/reconciliation.ts';
import { emptyReport, newRunId } from '../domain/reconciliation.ts';
import type { ApplyDeps } from './apply-event.ts';
import type { HotmartSource, ReconciliationStore } from './ports.ts';
import { reconcileWindow } from './reconcile.ts';

export type RunDeps = ApplyDeps & {
  runs: ReconciliationStore;
  /** Builds the API client; fails (without naming any secret) when credentials are missing. */
  hotmart: () => Promise<HotmartSource>;
  now?: () => number;
};

/**
 * Starts a run over `window` if no other run holds the lease. The lease lasts as long as the
 * runner may live (`leaseMs`), so a run that dies frees it by letting it expire.
 */
export async function startRun(
  window: Window,
  trigger: Trigger,
  leaseMs: number,
  deps: Pick<RunDeps, 'runs' | 'now'>,
): Promise<{ started: true; run: ReconciliationRun } | { started: false; holder: ReconciliationRun | null }> {
  const now = (deps.now ?? Date.now)();
  const run: ReconciliationRun = { id: newRunId(now), trigger, status: 'running', ...window, startedAt: now, leaseUntil: now + leaseMs };
  const result = await deps.runs.start(run);
  return result.started ? { started: true, run } : result;
}

/** The runner stops reading this long before its lease ends, to store the report while it still holds it. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Claims a started run for this executor and executes it to its end, storing its report:
 * `succeeded` when every record of the window was checked without error, `failed` otherwise (the
 * report says what failed). The claim succeeds once per run, so a retried or duplicated invocation
 * does nothing (null). The lease restarts at the claim, and reading stops before it ends.
 * Everything a run applies is idempotent, so a failed or abandoned window can simply run again.
 */
export async function executeRun(
  run: ReconciliationRun,
  deps: RunDeps,
  options: { executor: string; leaseMs: number; deadline?: number },
): Promise<ReconciliationRun | null> {
  const now = deps.now ?? Date.now;
  const leaseUntil = now() + options.leaseMs;
  if (!(await deps.runs.claim(run.id, options.executor, now(), leaseUntil))) return null;
  const deadline = Math.min(options.deadline ?? Number.POSITIVE_INFINITY, leaseUntil - LEASE_MARGIN_MS);
  let report = emptyReport();
  try {
    const source = await deps.hotmart();
    report = await reconcileWindow({ from: run.from, to: run.to }, source, deps, { now, deadline });
  } catch (error) {
    report.errors.push({ scope: 'run', message: (error as Error).message.slice(0, 200) });
  }
  const status = report.errors.length === 0 ? 'succeeded' : 'failed';
  const finishedAt = now();
  await deps.runs.finish(run.id, options.executor, status, report, finishedAt);
  return { ...run, executor: options.executor, leaseUntil, status, report, finishedAt };
}
