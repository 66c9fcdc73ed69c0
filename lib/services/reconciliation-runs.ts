import type { ReconciliationRun, RunStatus, Trigger, Window } from '../domain/reconciliation.ts';
import { effectiveStatus, emptyReport, newRunId, slidingWindow } from '../domain/reconciliation.ts';
import type { ApplyDeps } from './apply-event.ts';
import type { HotmartSource, ReconciliationStore, RunLauncher } from './ports.ts';
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

export type ExecuteOptions = {
  executor: string;
  leaseMs: number;
  deadline?: number;
  /** Told once the run is claimed, before it reads Hotmart (a run that dies later has said it began). */
  onClaimed?: (run: ReconciliationRun) => void;
};

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
  options: ExecuteOptions,
): Promise<ReconciliationRun | null> {
  const now = deps.now ?? Date.now;
  const leaseUntil = now() + options.leaseMs;
  if (!(await deps.runs.claim(run.id, options.executor, now(), leaseUntil))) return null;
  options.onClaimed?.(run);
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

/** What `POST /reconciliations` (or the schedules' fan-out) did: started a run and handed it to the runner, found the lease held, or could not reach the runner. */
export type LaunchOutcome =
  | { kind: 'started'; run: ReconciliationRun }
  | { kind: 'busy'; holder: ReconciliationRun | null }
  | { kind: 'notLaunched'; run: ReconciliationRun; errorName: string };

/**
 * Starts a run and hands it to the runner. A run the runner never received is finished as
 * failed at once, with a report that says so, which releases the lease for the next attempt.
 */
export async function launchRun(
  window: Window,
  leaseMs: number,
  deps: Pick<RunDeps, 'runs' | 'now'> & { launch: RunLauncher; schoolId: string; trigger?: Trigger },
): Promise<LaunchOutcome> {
  const started = await startRun(window, deps.trigger ?? 'api', leaseMs, deps);
  if (!started.started) return { kind: 'busy', holder: started.holder };
  try {
    await deps.launch({ schoolId: deps.schoolId, runId: started.run.id });
  } catch (error) {
    const report = emptyReport();
    report.errors.push({ scope: 'run', message: 'the runner could not be started' });
    await deps.runs.finish(started.run.id, undefined, 'failed', report, (deps.now ?? Date.now)());
    return { kind: 'notLaunched', run: started.run, errorName: (error as Error).name };
  }
  return { kind: 'started', run: started.run };
}

/** The runner's input: the run `POST /reconciliations` started, or a schedule's (with the window it names, else the configured one). */
export type RunnerRequest = { runId: string } | { windowHours?: number | undefined };

/** What one invocation of the runner did. */
export type RunnerOutcome =
  | { kind: 'executed'; run: ReconciliationRun }
  | { kind: 'busy'; holder: ReconciliationRun | null }
  | { kind: 'notFound'; runId: string }
  | { kind: 'notClaimed'; run: ReconciliationRun; status: RunStatus };

/**
 * One invocation of the runner. A schedule starts its own run over the last hours, unless
 * another run holds the lease (busy); a requested run is executed if it may still run — running,
 * unclaimed, lease alive — which the claim decides, so a retried or duplicated invocation
 * executes nothing (notClaimed).
 */
export async function runReconciliation(
  request: RunnerRequest,
  deps: RunDeps,
  options: ExecuteOptions & { windowHours: number },
): Promise<RunnerOutcome> {
  const now = deps.now ?? Date.now;
  let run: ReconciliationRun | undefined;
  if ('runId' in request) {
    run = await deps.runs.get(request.runId);
    if (!run) return { kind: 'notFound', runId: request.runId };
  } else {
    const started = await startRun(slidingWindow(now(), request.windowHours ?? options.windowHours), 'schedule', options.leaseMs, deps);
    if (!started.started) return { kind: 'busy', holder: started.holder };
    run = started.run;
  }
  const finished = await executeRun(run, deps, options);
  return finished ? { kind: 'executed', run: finished } : { kind: 'notClaimed', run, status: effectiveStatus(run, now()) };
}
