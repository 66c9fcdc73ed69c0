import type { Context } from 'aws-lambda';
import type { ReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import { scopeOf } from '#lib/domain/school.ts';
import type { Logger } from '#lib/logger.ts';
import { setLogContext, withInvocation } from '#lib/logger.ts';
import type { Metrics } from '#lib/observability/metrics.ts';
import { reconciliationMetrics } from '#lib/observability/reconciliation-metrics.ts';
import type { StatusReader } from '#lib/services/ports.ts';
import type { RunDeps, RunnerOutcome } from '#lib/services/reconciliation-runs.ts';
import { runReconciliation } from '#lib/services/reconciliation-runs.ts';
import { RunnerInputSchema } from './schema.ts';

/** Stop reading Hotmart this long before Lambda's timeout, to leave time to store the report. */
const FINISH_MARGIN_MS = 20_000;

/**
 * The reconciliation runner of one school per invocation. `{ schoolId }` starts a run over the
 * last RECONCILE_WINDOW_HOURS (or the window its input names), under that school's lease.
 * `POST /schools/{schoolId}/reconciliations` starts a run and invokes it with `{ schoolId, runId }`:
 * it executes that run while the run holds its lease; so does the schedules' fan-out
 * (functions/reconcile-fanout), once per school with credentials. Hotmart is read with the
 * school's own credentials; a school without any ends its run failed, its report saying so.
 * A school that is gone runs nothing.
 */
export function reconcileRunner(
  deps: Pick<ReconciliationDeps, 'schools' | 'storesFor'> & {
    hotmartFor: (schoolId: string) => RunDeps['hotmart'];
    /** The school's status reads, for the metrics of a finished run (waiting purchases, webhook silence). */
    statusFor?: (school: { schoolId: string; incarnation: string }) => Pick<StatusReader, 'latestDelivery' | 'waiting'>;
  },
  options: { leaseMs: number; windowHours: number; logger: Logger; metrics?: Metrics },
) {
  const { logger, metrics } = options;
  return (event: unknown, context: Context) => withInvocation(context.awsRequestId, () => run(event, context));
  async function run(event: unknown, context: Context) {
    const { schoolId, ...request } = RunnerInputSchema.parse(event) as { schoolId?: string; runId?: string; windowHours?: number };
    const school = schoolId === undefined ? undefined : await deps.schools.get(schoolId);
    if (!school || school.state !== 'active') {
      logger.warn('nothing reconciled: the invocation names no active school', { schoolId: schoolId ?? null });
      return { executed: false, schoolId: schoolId ?? null };
    }
    setLogContext({ schoolId: school.schoolId });
    // That school's stores, and Hotmart read with that school's own credentials.
    const scoped = { ...deps.storesFor(scopeOf(school)), hotmart: deps.hotmartFor(school.schoolId) };
    const outcome = await runReconciliation(request.runId === undefined ? { windowHours: request.windowHours } : { runId: request.runId }, scoped, {
      ...options,
      executor: context.awsRequestId,
      deadline: Date.now() + context.getRemainingTimeInMillis() - FINISH_MARGIN_MS,
      onClaimed: (run) =>
        logger.info('reconciliation running', { runId: run.id, trigger: run.trigger, from: new Date(run.from).toISOString(), to: new Date(run.to).toISOString() }),
    });
    if (outcome.kind === 'executed' && metrics) {
      const status = deps.statusFor?.(school);
      const [waiting, lastDeliveryAt] = await Promise.all([status?.waiting() ?? [], status?.latestDelivery() ?? null]);
      const oldestWaitingAt = waiting.length ? Math.min(...waiting.map((w) => w.oldestAt)) : null;
      metrics.emit(reconciliationMetrics(outcome.run, { lastDeliveryAt, oldestWaitingAt }, Date.now()), { runId: outcome.run.id, status: outcome.run.status });
    }
    return answer(outcome, logger);
  }
}

/** Logs what the invocation did (counts and error scopes only: GET /reconciliations/{id} has the report) and answers it. */
function answer(outcome: RunnerOutcome, logger: Logger) {
  switch (outcome.kind) {
    case 'notFound':
      logger.warn('run not executed: no such run', { runId: outcome.runId });
      return { runId: outcome.runId, executed: false };
    case 'busy':
      logger.info('scheduled run skipped: another run holds the lease', { holder: outcome.holder?.id ?? null });
      return { executed: false, holder: outcome.holder?.id ?? null };
    case 'notClaimed':
      logger.warn('run not executed: it has ended, another invocation claimed it, or its lease expired', { runId: outcome.run.id, status: outcome.status });
      return { runId: outcome.run.id, executed: false };
    case 'executed': {
      const { run } = outcome;
      setLogContext({ outcome: run.status });
      const report = run.report!;
      logger[run.status === 'succeeded' ? 'info' : 'warn']('reconciliation finished', {
        runId: run.id,
        status: run.status,
        sales: report.checked.sales,
        subscriptions: report.checked.subscriptions,
        alreadyKnown: report.alreadyKnown,
        grants: report.applied.grants,
        revocations: report.applied.revocations,
        other: report.applied.other,
        unmapped: report.skipped.unmapped,
        errors: report.errors.length,
        errorScopes: report.errors.map((e) => e.scope).join('; ').slice(0, 300) || null,
      });
      return { runId: run.id, executed: true, status: run.status };
    }
  }
}
