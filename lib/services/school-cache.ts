import type { TokenHashes } from '../domain/school.ts';
import type { SchoolStore } from './ports.ts';

/** What the webhook keeps of a school: its incarnation and token hashes, and when they were read. */
export type CachedSchool = { incarnation: string; tokens: TokenHashes | undefined; fetchedAt: number };

export type SchoolCache = {
  /** The active school, from the cache while younger than the TTL, else read again; null: absent or deleted. */
  get(schoolId: string): Promise<CachedSchool | null>;
  /**
   * Reads the school again after a presented token matched nothing (a token set a moment ago),
   * at most once a second per school; null when it was read too recently to read again.
   */
  reread(schoolId: string): Promise<CachedSchool | null>;
  size(): number;
};

/** Schools one container keeps (about 0.4 KB each: BENCHMARKS.md, "Many schools in one container"). */
export const SCHOOL_CACHE_MAX_ENTRIES = 10_000;

/** A re-read after a mismatch happens at most this often per school. */
export const REREAD_INTERVAL_MS = 1000;

/**
 * Per-container cache of the schools the webhook serves: bounded by entry count (least recently
 * used goes first), revalidated from the registry when older than `ttlMs`, so a deleted school
 * stops being accepted within that window. Absent and deleted schools are not kept.
 */
export function createSchoolCache(
  store: Pick<SchoolStore, 'get'>,
  { ttlMs, maxEntries = SCHOOL_CACHE_MAX_ENTRIES, now = Date.now }: { ttlMs: number; maxEntries?: number; now?: () => number },
): SchoolCache {
  const entries = new Map<string, CachedSchool>();
  const read = async (schoolId: string) => {
    const school = await store.get(schoolId);
    entries.delete(schoolId);
    if (!school || school.state !== 'active') return null;
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    const entry = { incarnation: school.incarnation, tokens: school.tokens, fetchedAt: now() };
    entries.set(schoolId, entry);
    return entry;
  };
  return {
    async get(schoolId) {
      const hit = entries.get(schoolId);
      if (!hit || now() - hit.fetchedAt >= ttlMs) return read(schoolId);
      // Most recently used last: the first entry is the one to evict.
      entries.delete(schoolId);
      entries.set(schoolId, hit);
      return hit;
    },
    async reread(schoolId) {
      const hit = entries.get(schoolId);
      if (hit && now() - hit.fetchedAt < REREAD_INTERVAL_MS) return null;
      return read(schoolId);
    },
    size: () => entries.size,
  };
}
