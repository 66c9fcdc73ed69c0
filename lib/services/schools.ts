import { AppError } from '../domain/errors.ts';
import type { School } from '../domain/school.ts';
import { tokenHash } from '../domain/school.ts';
import type { Page, PepperSource, SchoolErasureLauncher, SchoolStore } from './ports.ts';

const notFound = (schoolId: string) => new AppError('SCHOOL.NOT_FOUND', `no school ${schoolId}`);

/** The active school (one registry read); absent or deleted: 404 SCHOOL.NOT_FOUND. */
export async function activeSchool(schoolId: string, deps: { schools: Pick<SchoolStore, 'get'> }): Promise<School> {
  const school = await deps.schools.get(schoolId);
  if (!school || school.state !== 'active') throw notFound(schoolId);
  return school;
}

/** Creates the school (a new, empty one if the id was deleted) or renames it. */
export function putSchool(schoolId: string, name: string, deps: { schools: SchoolStore }): Promise<{ school: School; created: boolean }> {
  return deps.schools.put(schoolId, name);
}

export function listSchools(limit: number, cursor: string | undefined, deps: { schools: SchoolStore }): Promise<Page<School>> {
  return deps.schools.list(limit, cursor);
}

/**
 * Deletes the school: from now on it answers 404 everywhere (the webhook once its cached copy is
 * older than SCHOOL_CACHE_TTL_MS), its token hashes and credentials are gone with the deletion, and
 * its scope is handed to the background erasure of what it owned. If that hand-over fails, the
 * school stays deleted and the scheduled sweep starts its erasure (`erasureStarted: false`).
 */
export async function deleteSchool(schoolId: string, deps: { schools: SchoolStore; eraseSchool: SchoolErasureLauncher }): Promise<{ erasureStarted: boolean; reason?: string }> {
  const deleted = await deps.schools.markDeleted(schoolId, Date.now());
  if (!deleted) throw notFound(schoolId);
  try {
    await deps.eraseSchool(deleted);
    return { erasureStarted: true };
  } catch (error) {
    return { erasureStarted: false, reason: (error as Error).name };
  }
}

/** Stores the keyed hash of the school's new token (never the token); the former one stays accepted as the previous. */
export async function setSchoolToken(schoolId: string, token: string, deps: { schools: SchoolStore; pepper: PepperSource }): Promise<void> {
  const hash = tokenHash(await deps.pepper(), token);
  if (!(await deps.schools.setToken(schoolId, hash, Date.now()))) throw notFound(schoolId);
}

/** Stops accepting the previous token (once Hotmart's deliveries all carry the new one). */
export async function dropPreviousToken(schoolId: string, deps: { schools: SchoolStore }): Promise<void> {
  if (!(await deps.schools.dropPreviousToken(schoolId, Date.now()))) throw notFound(schoolId);
}
