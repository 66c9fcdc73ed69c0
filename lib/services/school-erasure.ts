import { scopeOf } from '../domain/school.ts';
import type { SchoolEraser, SchoolErasureJob, SchoolErasureJobLauncher, SchoolStore, TombstoneStore } from './ports.ts';

export type SchoolErasureDeps = {
  eraser: SchoolEraser;
  schools: Pick<SchoolStore, 'get'> & TombstoneStore;
  launch: SchoolErasureJobLauncher;
  /** How long a warm webhook container may still accept a deleted school's deliveries (SCHOOL_CACHE_TTL_MS). */
  cacheTtlMs: number;
  now?: () => number;
};

export type SchoolErasureStep = 'continued' | 'erased' | 'left-for-sweep';

/**
 * One step of a deleted school's background erasure (functions/erase-school). It deletes page
 * after page of the scope's items — through each table's index of the school's items, so it never
 * reads another school's — until `deadline`, then hands its position to a new invocation. A pass
 * walks every table; a pass that deleted something is followed by another, so the erasure ends
 * only on a pass that found nothing: "until none remains".
 *
 * The tombstone (the registry item) goes only when that clean pass started at least
 * `cacheTtlMs` after the deletion (a warm webhook container may write for that long), and only if
 * it is still this incarnation's (a school created again under the id is another one, whose items
 * are keyed under another scope and never touched here). Otherwise it stays for the scheduled
 * sweep (sweepTombstones), which runs the erasure again. A step that throws is retried by Lambda
 * from its own position: deleting again what is gone is harmless.
 */
export async function eraseSchoolStep(job: SchoolErasureJob, deadline: number, deps: SchoolErasureDeps): Promise<{ step: SchoolErasureStep; deleted: number }> {
  const now = deps.now ?? Date.now;
  const scope = scopeOf(job);
  let pass = job.pass ?? { startedAt: now(), deleted: 0 };
  let position = job.position ?? { table: 0, shard: 0 };
  let deleted = 0;
  for (;;) {
    const page = await deps.eraser.erasePage(scope, position);
    deleted += page.deleted;
    pass = { ...pass, deleted: pass.deleted + page.deleted };
    if (page.next) position = page.next;
    else if (pass.deleted > 0) {
      pass = { startedAt: now(), deleted: 0 };
      position = { table: 0, shard: 0 };
    } else {
      return { step: await dropTombstone(job, pass.startedAt, deps), deleted };
    }
    if (now() >= deadline) {
      await deps.launch({ schoolId: job.schoolId, incarnation: job.incarnation, pass, position });
      return { step: 'continued', deleted };
    }
  }
}

async function dropTombstone(job: SchoolErasureJob, cleanPassStartedAt: number, deps: SchoolErasureDeps): Promise<SchoolErasureStep> {
  const school = await deps.schools.get(job.schoolId);
  // Not this incarnation's tombstone any more (created again, or already dropped): nothing of ours is left to remove.
  if (!school || school.state !== 'deleted' || school.incarnation !== job.incarnation) return 'erased';
  if (cleanPassStartedAt < (school.deletedAt ?? 0) + deps.cacheTtlMs) return 'left-for-sweep';
  await deps.schools.dropTombstone(job.schoolId, job.incarnation);
  return 'erased';
}

/** The scheduled sweep: every tombstone's erasure is started again (each ends, or leaves its tombstone, on its own). */
export async function sweepTombstones(deps: { schools: TombstoneStore; launch: SchoolErasureJobLauncher }): Promise<number> {
  let launched = 0;
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await deps.schools.tombstones(cursor);
    for (const school of page.items) {
      await deps.launch({ schoolId: school.schoolId, incarnation: school.incarnation });
      launched++;
    }
    cursor = page.next;
  } while (cursor);
  return launched;
}
