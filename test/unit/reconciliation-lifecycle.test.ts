import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunnerInputSchema } from '../../functions/reconcile/schema.ts';
import type { ReconciliationReport, ReconciliationRun } from '../../lib/domain/reconciliation.ts';
import type { ReconciliationStore } from '../../lib/services/ports.ts';
import type { RunDeps } from '../../lib/services/reconciliation-runs.ts';
import { launchRun, runReconciliation } from '../../lib/services/reconciliation-runs.ts';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const WINDOW = { from: NOW - 3600_000, to: NOW };

/** A run store in memory, enough for the lifecycle: one lease, one claim per run. */
function memoryRuns() {
  const runs = new Map<string, ReconciliationRun>();
  const finished: { id: string; status: string; report: ReconciliationReport }[] = [];
  const store: ReconciliationStore = {
    start: async (run) => {
      const holder = [...runs.values()].find((r) => r.status === 'running' && r.leaseUntil >= run.startedAt);
      if (holder) return { started: false, holder };
      runs.set(run.id, run);
      return { started: true };
    },
    claim: async (id, executor) => {
      const run = runs.get(id);
      if (!run || run.executor !== undefined || run.status !== 'running') return false;
      runs.set(id, { ...run, executor });
      return true;
    },
    finish: async (id, _executor, status, report, finishedAt) => {
      finished.push({ id, status, report });
      runs.set(id, { ...runs.get(id)!, status, report, finishedAt });
    },
    get: async (id) => runs.get(id),
    list: async () => ({ items: [...runs.values()], nextCursor: null }),
  };
  return { store, finished };
}

describe('a reconciliation run’s lifecycle, as values', () => {
  it('launches a run, refuses a second while the first holds the lease, and fails one the runner never received', async () => {
    const { store, finished } = memoryRuns();
    const launched: unknown[] = [];
    const started = await launchRun(WINDOW, 60_000, { runs: store, now: () => NOW, launch: async (run) => void launched.push(run), schoolId: 'school-a' });
    assert.equal(started.kind, 'started');
    assert.deepEqual(launched, [{ schoolId: 'school-a', runId: started.kind === 'started' && started.run.id }]);

    const busy = await launchRun(WINDOW, 60_000, { runs: store, now: () => NOW + 1, launch: async () => assert.fail('not launched while busy'), schoolId: 'school-a' });
    assert.equal(busy.kind, 'busy');
    assert.equal(busy.kind === 'busy' && busy.holder?.id, started.kind === 'started' && started.run.id);

    const { store: other, finished: otherFinished } = memoryRuns();
    const failing = await launchRun(WINDOW, 60_000, { runs: other, now: () => NOW, launch: async () => Promise.reject(Object.assign(new Error('x'), { name: 'TooManyRequestsException' })), schoolId: 'school-a' });
    assert.equal(failing.kind, 'notLaunched');
    assert.equal(failing.kind === 'notLaunched' && failing.errorName, 'TooManyRequestsException');
    assert.deepEqual(otherFinished.map((f) => [f.status, f.report.errors]), [['failed', [{ scope: 'run', message: 'the runner could not be started' }]]]);
    assert.equal(finished.length, 0);
  });

  it('runs a requested run once, says when there is no such run, and skips a schedule while another run holds the lease', async () => {
    const { store } = memoryRuns();
    const deps = { runs: store, now: () => NOW, hotmart: async () => Promise.reject(new Error('no credentials')) } as unknown as RunDeps;
    const options = { executor: 'invocation-1', leaseMs: 60_000, windowHours: 72 };
    const started = await launchRun(WINDOW, 60_000, { runs: store, now: () => NOW, launch: async () => {}, schoolId: 'school-a' });
    assert.ok(started.kind === 'started');

    const executed = await runReconciliation({ runId: started.run.id }, deps, options);
    assert.equal(executed.kind, 'executed');
    assert.equal(executed.kind === 'executed' && executed.run.status, 'failed', 'no credentials: the run fails and says why');
    assert.equal((await runReconciliation({ runId: started.run.id }, deps, { ...options, executor: 'invocation-2' })).kind, 'notClaimed');
    assert.deepEqual(await runReconciliation({ runId: 'r-20261128T120000123Z-00000000' }, deps, options), { kind: 'notFound', runId: 'r-20261128T120000123Z-00000000' });

    const held = await launchRun(WINDOW, 60_000, { runs: store, now: () => NOW, launch: async () => {}, schoolId: 'school-a' });
    assert.ok(held.kind === 'started');
    const skipped = await runReconciliation({}, deps, options);
    assert.equal(skipped.kind, 'busy');
  });
});

describe('the runner’s input', () => {
  const schoolId = 'school-a';
  it('is a school’s run to execute, or a school’s scheduled run with the window it names (else the configured one)', () => {
    assert.deepEqual(RunnerInputSchema.parse({ schoolId, runId: 'r-20261128T120000123Z-1a2b3c4d' }), { schoolId, runId: 'r-20261128T120000123Z-1a2b3c4d' });
    assert.deepEqual(RunnerInputSchema.parse({ schoolId, source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }), { schoolId, windowHours: undefined });
    assert.deepEqual(RunnerInputSchema.parse({ schoolId, windowHours: 720 }), { schoolId, windowHours: 720 });
    assert.deepEqual(RunnerInputSchema.parse({ schoolId, windowHours: '720' }), { schoolId, windowHours: 720 });
    for (const outOfRange of [0, 1489, 1.5, 'wide', null]) assert.deepEqual(RunnerInputSchema.parse({ schoolId, windowHours: outOfRange }), { schoolId, windowHours: undefined }, String(outOfRange));
    assert.deepEqual(RunnerInputSchema.parse({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }), {}, 'no school: nothing to run');
  });

  it('refuses a run id that is not one, and a school id that is not a slug', () => {
    for (const runId of [42, '', 'r-1', 'x'.repeat(5000)]) assert.throws(() => RunnerInputSchema.parse({ schoolId, runId }), String(runId).slice(0, 20));
    for (const bad of ['A', '-a', 'a', 'a/b', 'x'.repeat(64)]) assert.throws(() => RunnerInputSchema.parse({ schoolId: bad, runId: 'r-20261128T120000123Z-1a2b3c4d' }), bad);
  });
});
