import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/** A school id: a slug, as it appears in every URL of the school (`/schools/{schoolId}/…`). */
export const SCHOOL_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const SchoolIdSchema = z.string().regex(SCHOOL_ID_PATTERN, 'must be a slug: lower-case letters, digits and hyphens, 2-63 characters, not starting with a hyphen');

/** The hashes of the school's webhook tokens (never the tokens): HMAC-SHA-256 with the stage's pepper, hex. */
export type TokenHashes = { current: string; previous?: string; updatedAt: number };

/** The school as the registry keeps it (lib/adapters/dynamodb/school-store.ts). */
export type School = {
  schoolId: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** New on every creation: everything the school owns is keyed under `<schoolId>#<incarnation>`. */
  incarnation: string;
  state: 'active' | 'deleted';
  deletedAt?: number;
  tokens?: TokenHashes;
};

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** 10 random base36 characters. */
export function newIncarnation(): string {
  return Array.from(randomBytes(10), (byte) => BASE36[byte % 36]).join('');
}

/** The scope every key of the school starts with (after `S#`): `<schoolId>#<incarnation>`. */
export const scopeOf = (school: Pick<School, 'schoolId' | 'incarnation'>) => `${school.schoolId}#${school.incarnation}`;

/** A token's keyed hash: a copy of the registry does not let anyone test guesses offline without the pepper. */
export function tokenHash(pepper: Buffer, token: string): string {
  return createHmac('sha256', pepper).update(token, 'utf8').digest('hex');
}

/**
 * Does the presented token's hash equal the current or the previous one? Constant time on
 * equal-length digests, and both are always compared.
 */
export function hashMatches(presentedHash: string, tokens: TokenHashes | undefined): boolean {
  if (!tokens) return false;
  const candidate = Buffer.from(presentedHash, 'hex');
  let matched = false;
  for (const stored of [tokens.current, tokens.previous]) {
    const digest = Buffer.from(stored ?? '', 'hex');
    const comparable = digest.length === candidate.length ? digest : Buffer.alloc(candidate.length);
    matched = (timingSafeEqual(candidate, comparable) && digest.length === candidate.length) || matched;
  }
  return matched;
}

/** A scope as a background job's payload carries it. */
export const SchoolScopeSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}#[0-9a-z]{10}$/, 'must be a school scope');
