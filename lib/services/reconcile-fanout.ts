import type { Window } from '../domain/reconciliation.ts';
import type { ReconciliationStore, RunLauncher } from './ports.ts';
import { launchRun } from './reconciliation-runs.ts';

/** A school the fan-out reconciles: an active one with credentials, and its scope. */
export type FanOutSchool = { schoolId: string; scope: string };

/** One page of the registry's schools with credentials, in key order after `after` (a school id). */
export interface SchoolsWithCredentials {
  page(limit: number, after?: string): Promise<{ schools: FanOutSchool[]; after?: string }>;
}

/** One step of the chain: the window every school's run covers (fixed at the first step), and where the registry read stopped. */
export type FanOutStep = { window: Window; after?: string };

export type FanOutDeps = {
  schools: SchoolsWithCredentials;
  runsOf: (scope: string) => ReconciliationStore;
  /** Hands a started run to the runner (asynchronous invocation). */
  launch: RunLauncher;
  /** Hands the rest of the registry to the next step (the fan-out invoking itself, asynchronously). */
  next: (step: FanOutStep) => Promise<void>;
};

export type FanOutResult = { started: number; busy: number; failed: string[]; continued: boolean };

/** Runs started at once within one step: enough to finish a page quickly, few enough not to flood the runs table or Lambda's API. */
const PARALLEL = 8;

/**
 * One step of the schedules' fan-out: starts one run per school of one page of the registry
 * (schools with credentials only), each under its own school's lease through launchRun, then
 * hands the rest to the next step, so no step walks thousands of schools. A school whose lease
 * is held is skipped (its run is under way); a school whose run cannot be started is reported and
 * touches no other school. A throw (the registry unreadable, the next step not handed over) makes
 * Lambda retry the step: schools it already started are then busy or start a second, idempotent run.
 */
export async function fanOutStep(step: FanOutStep, deps: FanOutDeps, options: { pageSize: number; leaseMs: number; onFailure?: (schoolId: string, reason: string) => void }): Promise<FanOutResult> {
  const page = await deps.schools.page(options.pageSize, step.after);
  const result: FanOutResult = { started: 0, busy: 0, failed: [], continued: false };
  const queue = [...page.schools];
  const worker = async () => {
    for (let school = queue.shift(); school; school = queue.shift()) {
      const { schoolId } = school;
      try {
        const outcome = await launchRun(step.window, options.leaseMs, { runs: deps.runsOf(school.scope), launch: deps.launch, schoolId, trigger: 'schedule' });
        if (outcome.kind === 'started') result.started++;
        else if (outcome.kind === 'busy') result.busy++;
        else {
          result.failed.push(schoolId);
          options.onFailure?.(schoolId, outcome.errorName);
        }
      } catch (error) {
        result.failed.push(schoolId);
        options.onFailure?.(schoolId, (error as Error).name);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  if (page.after !== undefined) {
    await deps.next({ window: step.window, after: page.after });
    result.continued = true;
  }
  return result;
}
