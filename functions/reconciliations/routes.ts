import type { ReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import type * as z from 'zod';
import { AppError } from '#lib/domain/errors.ts';
import type { ReconciliationRun } from '#lib/domain/reconciliation.ts';
import { effectiveStatus } from '#lib/domain/reconciliation.ts';
import { jsonBody, validate } from '#lib/http/request.ts';
import { routeBySchool, SCHOOL_PATH } from '#lib/http/school-routes.ts';
import { isoDate, json } from '#lib/http/responses.ts';
import type { Logger } from '#lib/logger.ts';
import type { RunLauncher } from '#lib/services/ports.ts';
import { launchRun } from '#lib/services/reconciliation-runs.ts';
import type { RunViewSchema } from './schema.ts';
import { RunListSchema, RunPathSchema, windowSchema } from './schema.ts';

export function runView(run: ReconciliationRun, now = Date.now()): z.output<typeof RunViewSchema> {
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

/** 409: the run that holds the school's lease, as GET …/reconciliations/{id} shows it (none while a run is only starting). */
const inProgress = (holder: ReconciliationRun | null) =>
  holder
    ? new AppError('RECONCILIATION.IN_PROGRESS', `run ${holder.id} is in progress; retry when it ends`, undefined, { run: runView(holder) })
    : new AppError('RECONCILIATION.IN_PROGRESS', 'another run is starting; retry shortly');

export function reconciliationRoutes(deps: Pick<ReconciliationDeps, 'schools' | 'storesFor'>, options: { launch: RunLauncher; leaseMs: number; logger: Logger }) {
  return routeBySchool(deps.schools, deps.storesFor, {
    [`POST ${SCHOOL_PATH}/reconciliations`]: async (event, deps) => {
      const window = validate(windowSchema(Date.now()), jsonBody(event), 'body');
      const { schoolId } = deps.school;
      const outcome = await launchRun(window, options.leaseMs, { runs: deps.runs, launch: options.launch, schoolId });
      switch (outcome.kind) {
        case 'busy':
          throw inProgress(outcome.holder);
        case 'notLaunched':
          options.logger.error('could not start the runner', { schoolId, runId: outcome.run.id, errorName: outcome.errorName });
          throw new AppError('RECONCILIATION.NOT_STARTED', 'the reconciliation runner could not be started; retry later');
        case 'started':
          options.logger.info('reconciliation started', { schoolId, runId: outcome.run.id, from: isoDate(window.from), to: isoDate(window.to) });
          return json(202, runView(outcome.run), { location: `/schools/${schoolId}/reconciliations/${outcome.run.id}` });
      }
    },
    [`GET ${SCHOOL_PATH}/reconciliations`]: async (event, deps) => {
      const query = validate(RunListSchema, event.queryStringParameters ?? {}, 'query');
      const page = await deps.runs.list(query.limit, query.cursor);
      const now = Date.now();
      return json(200, { items: page.items.map((run) => runView(run, now)), nextCursor: page.nextCursor });
    },
    [`GET ${SCHOOL_PATH}/reconciliations/{id}`]: async (event, deps) => {
      const { id } = validate(RunPathSchema, event.pathParameters ?? {}, 'path');
      const run = await deps.runs.get(id);
      if (!run) throw new AppError('RECONCILIATION.NOT_FOUND', `no reconciliation run ${id}`);
      return json(200, runView(run));
    },
  });
}
