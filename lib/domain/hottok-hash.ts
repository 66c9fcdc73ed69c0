import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A school's webhook token is stored only as this keyed hash: HMAC-SHA-256 with the stage's pepper,
 * hex. Without the pepper (kept in Secrets Manager, never in the table), a copy of the table does not
 * let anyone test guesses offline.
 */
export function hottokHash(pepper: Buffer, token: string): string {
  return createHmac('sha256', pepper).update(token, 'utf8').digest('hex');
}

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/**
 * Whether the presented token hashes to one of the stored hashes (current, and previous during a
 * rotation). Compared in constant time on equal-length digests, every stored hash always compared,
 * so the answer's timing says neither which one matched nor how much of it; a stored value that is
 * not a digest matches nothing.
 */
export function hashMatches(pepper: Buffer, presented: string | undefined, hashes: readonly (string | undefined)[]): boolean {
  if (presented === undefined || presented.length === 0) return false;
  const candidate = Buffer.from(hottokHash(pepper, presented), 'hex');
  let matched = false;
  for (const hash of hashes) {
    if (hash === undefined || !HEX_DIGEST.test(hash)) continue;
    matched = timingSafeEqual(candidate, Buffer.from(hash, 'hex')) || matched;
  }
  return matched;
}
