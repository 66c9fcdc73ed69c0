import type { Mapping } from '../domain/mapping.ts';
import type { MappingStore } from './ports.ts';

export type MappingLookup = {
  get(productId: string): Promise<Mapping | null>;
  /** Store what a failed write condition revealed, so the retry plans on the truth. */
  remember(productId: string, mapping: Mapping | null): void;
};

/**
 * Per-container cache of product mappings. Staleness cannot cause a wrong write: every write
 * planned on a cached mapping checks its version (or its absence) in the same transaction, and a
 * failed check returns the current mapping. The TTL only bounds how long a changed mapping costs
 * one extra round trip.
 */
export function createMappingCache(
  store: Pick<MappingStore, 'get'>,
  { ttlMs = 60_000, maxEntries = 5_000, now = Date.now }: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): MappingLookup {
  const entries = new Map<string, { mapping: Mapping | null; at: number }>();
  const remember = (productId: string, mapping: Mapping | null) => {
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(productId, { mapping, at: now() });
  };
  return {
    async get(productId) {
      const hit = entries.get(productId);
      if (hit && now() - hit.at < ttlMs) return hit.mapping;
      const mapping = await store.get(productId);
      remember(productId, mapping);
      return mapping;
    },
    remember,
  };
}
