import type { ReconciliationRun, Trigger, Window } from '../domain/reconciliation.ts';
import { emptyReport, newRunId } from '../domain/reconciliation.ts';
import type { ApplyDeps } from './apply-event.ts';
import type { ReconciliationStore } from './ports.ts';
import type { HotmartSource } from './reconcile.ts';
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

/**
 * Executes a started run to its end and stores its report: `succeeded` when every record of the
 * window was checked without error, `failed` otherwise (the report says what failed). Everything a
 * run applies is idempotent, so a failed or abandoned window can simply be run again.
 */
export async function executeRun(run: ReconciliationRun, deps: RunDeps, deadline?: number): Promise<ReconciliationRun> {
  const now = deps.now ?? Date.now;
  let report = emptyReport();
  try {
    const source = await deps.hotmart();
    report = await reconcileWindow({ from: run.from, to: run.to }, source, deps, { now, ...(deadline !== undefined ? { deadline } : {}) });
  } catch (error) {
    report.errors.push({ scope: 'run', message: (error as Error).message.slice(0, 200) });
  }
  const status = report.errors.length === 0 ? 'succeeded' : 'failed';
  const finishedAt = now();
  await deps.runs.finish(run.id, status, report, finishedAt);
  return { ...run, status, report, finishedAt };
}
