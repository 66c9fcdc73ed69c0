import type { SchoolErasureLauncher } from '../services/ports.ts';

/**
 * The erasure launcher of this build: it starts nothing. A deleted school's items stay where they
 * are, unreachable (every key carries the deleted incarnation, which no route resolves to any more).
 */
export const noSchoolErasure: SchoolErasureLauncher = async () => {};
