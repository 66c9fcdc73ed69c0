import type { Context } from 'aws-lambda';
import { createReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import type { HotmartApi } from '#lib/adapters/hotmart/api-client.ts';
import { createHotmartApi } from '#lib/adapters/hotmart/api-client.ts';
import { hotmartCredentialSource } from '#lib/adapters/hotmart/credentials.ts';
import { loadConfig } from '#lib/config.ts';
import { MAX_WINDOW_MS, effectiveStatus, slidingWindow } from '#lib/domain/reconciliation.ts';
import type { ReconciliationRun } from '#lib/domain/reconciliation.ts';
import { createLogger } from '#lib/logger.ts';
import { executeRun, startRun } from '#lib/services/reconciliation-runs.ts';

const config = loadConfig();
const logger = createLogger('reconcile');
const deps = createReconciliationDeps(config);
const credentials = hotmartCredentialSource(config);

/** Stop reading Hotmart this long before Lambda's timeout, to leave time to store the report. */
const FINISH_MARGIN_MS = 20_000;

/** One API client per container and credentials: its OAuth token (valid for hours) is reused across runs. */
let client: { key: string; api: HotmartApi } | undefined;
async function hotmart() {
  const current = await credentials();
  const key = JSON.stringify([current.clientId, current.clientSecret, current.basic]);
  if (client?.key !== key) {
    client = { key, api: createHotmartApi({ credentials: current, apiUrl: config.reconciliation.apiUrl, tokenUrl: config.reconciliation.tokenUrl }) };
  }
  return client.api;
}

/** `{"windowHours": n}`, as a schedule's input gives it (a number or a numeric string), within 1 h – 62 days. */
function scheduledWindowHours(event: unknown): number | undefined {
  const value = Number((event as { windowHours?: unknown } | null)?.windowHours);
  return Number.isInteger(value) && value >= 1 && value <= MAX_WINDOW_MS / 3600_000 ? value : undefined;
}

/**
 * The reconciliation runner. EventBridge invokes it hourly with no run: it starts one over the
 * last RECONCILE_WINDOW_HOURS (daily, over the window its input names). `POST /reconciliations` starts a run and invokes it with
 * `{ runId }`: it executes that run while the run holds its lease.
 */
export async function handler(event: unknown, context: Context) {
  const deadline = Date.now() + context.getRemainingTimeInMillis() - FINISH_MARGIN_MS;
  const runId = typeof event === 'object' && event !== null && 'runId' in event ? String((event as { runId: unknown }).runId) : undefined;
  let run: ReconciliationRun | undefined;
  if (runId !== undefined) {
    // Whether it may still run (running, unclaimed, lease alive) is the claim's condition, below.
    run = await deps.runs.get(runId);
    if (!run) {
      logger.warn('run not executed: no such run', { runId: runId.slice(0, 64) });
      return { runId, executed: false };
    }
  } else {
    // The daily schedule passes a wider window as its input; the hourly one passes none.
    const hours = scheduledWindowHours(event) ?? config.reconciliation.windowHours;
    const started = await startRun(slidingWindow(Date.now(), hours), 'schedule', config.reconciliation.leaseMs, deps);
    if (!started.started) {
      logger.info('scheduled run skipped: another run holds the lease', { holder: started.holder?.id ?? null });
      return { executed: false, holder: started.holder?.id ?? null };
    }
    run = started.run;
  }

  logger.info('reconciliation running', { runId: run.id, trigger: run.trigger, from: new Date(run.from).toISOString(), to: new Date(run.to).toISOString() });
  // The claim makes a retried or duplicated invocation of the same run a no-op.
  const finished = await executeRun(run, { ...deps, hotmart }, { executor: context.awsRequestId, leaseMs: config.reconciliation.leaseMs, deadline });
  if (!finished) {
    logger.warn('run not executed: it has ended, another invocation claimed it, or its lease expired', { runId: run.id, status: effectiveStatus(run, Date.now()) });
    return { runId: run.id, executed: false };
  }
  const report = finished.report!;
  // Counts and error scopes only: the report itself (GET /reconciliations/{id}) has the details.
  logger[finished.status === 'succeeded' ? 'info' : 'warn']('reconciliation finished', {
    runId: run.id,
    status: finished.status,
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
  return { runId: run.id, executed: true, status: finished.status };
}
