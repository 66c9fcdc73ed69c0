import type { ReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import type { RunLauncher } from '#lib/adapters/lambda/run-launcher.ts';
import { AppError } from '#lib/domain/errors.ts';
import type { ReconciliationRun } from '#lib/domain/reconciliation.ts';
import { effectiveStatus, emptyReport } from '#lib/domain/reconciliation.ts';
import { jsonBody, routeByKey, validate } from '#lib/http/request.ts';
import { isoDate, json } from '#lib/http/responses.ts';
import type { Logger } from '#lib/logger.ts';
import { startRun } from '#lib/services/reconciliation-runs.ts';
import { RunListSchema, RunPathSchema, windowSchema } from './schema.ts';

export function runView(run: ReconciliationRun, now = Date.now()) {
  const status = effectiveStatus(run, now);
  return {
    id: run.id,
    trigger: run.trigger,
    status,
    from: isoDate(run.from),
    to: isoDate(run.to),
    startedAt: isoDate(run.startedAt),
    finishedAt: isoDate(run.finishedAt),
    ...(status === 'running' ? { leaseUntil: isoDate(run.leaseUntil) } : {}),
    report: run.report ?? null,
    // Finished after its lease expired and another run took over: the two may have overlapped.
    ...(run.lateFinish ? { lateFinish: true } : {}),
  };
}

export function reconciliationRoutes(deps: Pick<ReconciliationDeps, 'runs'>, options: { launch: RunLauncher; leaseMs: number; logger: Logger }) {
  return routeByKey({
    'POST /reconciliations': async (event) => {
      const window = validate(windowSchema(Date.now()), jsonBody(event), 'body');
      const result = await startRun(window, 'api', options.leaseMs, deps);
      if (!result.started) {
        const holder = result.holder;
        return json(409, {
          error: {
            code: 'RECONCILIATION.IN_PROGRESS',
            message: holder ? `run ${holder.id} is in progress; retry when it ends` : 'another run is starting; retry shortly',
            ...(holder ? { run: runView(holder) } : {}),
          },
        });
      }
      try {
        await options.launch(result.run.id);
      } catch (error) {
        options.logger.error('could not start the runner', { runId: result.run.id, errorName: (error as Error).name });
        const report = emptyReport();
        report.errors.push({ scope: 'run', message: 'the runner could not be started' });
        await deps.runs.finish(result.run.id, undefined, 'failed', report, Date.now());
        throw new AppError('RECONCILIATION.NOT_STARTED', 'the reconciliation runner could not be started; retry later');
      }
      options.logger.info('reconciliation started', { runId: result.run.id, from: isoDate(window.from), to: isoDate(window.to) });
      return json(202, runView(result.run), { location: `/reconciliations/${result.run.id}` });
    },
    'GET /reconciliations': async (event) => {
      const query = validate(RunListSchema, event.queryStringParameters ?? {}, 'query');
      const page = await deps.runs.list(query.limit, query.cursor);
      const now = Date.now();
      return json(200, { items: page.items.map((run) => runView(run, now)), nextCursor: page.nextCursor });
    },
    'GET /reconciliations/{id}': async (event) => {
      const { id } = validate(RunPathSchema, event.pathParameters ?? {}, 'path');
      const run = await deps.runs.get(id);
      if (!run) throw new AppError('RECONCILIATION.NOT_FOUND', `no reconciliation run ${id}`);
      return json(200, runView(run));
    },
  });
}
