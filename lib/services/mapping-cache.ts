import type { MappingExpectation } from '../domain/write-plan.ts';
import type { Mapping, ProductMappings } from '../domain/mapping.ts';

export type MappingLookup = {
  get(productId: string): Promise<ProductMappings>;
  /** Store what a failed write condition revealed, so the retry plans on the truth. */
  remember(expectation: MappingExpectation, mapping: Mapping | null): ProductMappings;
};

/** The product's mappings with one item replaced (or removed, for null). */
export function withMapping(mappings: ProductMappings, expectation: MappingExpectation, mapping: Mapping | null): ProductMappings {
  if (expectation.offerCode === undefined) return { ...mappings, product: mapping };
  const offers = mappings.offers.filter((offer) => offer.offerCode !== expectation.offerCode);
  return { ...mappings, offers: mapping ? [...offers, mapping] : offers };
}

/** A product of one school: the same product id in two schools is two entries. */
const cacheKeyOfProduct = (scope: string, productId: string) => `${scope}\u0000${productId}`;

/**
 * Products one container keeps, across schools: 5,000 schools with 4 products each fit (about
 * 0.7 KB per product: BENCHMARKS.md, "Many schools in one container"); past it, the least recently stored goes first.
 */
export const MAPPING_CACHE_MAX_ENTRIES = 20_000;

/** The cache of every school a container serves, bounded as a whole; `forScope` is one school's view of it. */
export type MappingCache = { forScope(scope: string): MappingLookup };

/**
 * Per-container cache of each product's mappings (its own and its offers'), keyed by school and
 * product, with at most `maxEntries` entries across schools (the oldest goes first). Staleness
 * cannot cause a wrong write: every write planned on a cached mapping checks its version — or,
 * for a missing one, its absence — in the same transaction, and a failed check returns the
 * current item. The TTL only bounds how long a changed mapping costs one extra round trip.
 */
export function createMappingCache(
  load: (scope: string, productId: string) => Promise<ProductMappings>,
  { ttlMs = 60_000, maxEntries = MAPPING_CACHE_MAX_ENTRIES, now = Date.now }: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): MappingCache {
  const entries = new Map<string, { mappings: ProductMappings; at: number }>();
  const store_ = (key: string, mappings: ProductMappings) => {
    if (!entries.has(key) && entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, { mappings, at: now() });
    return mappings;
  };
  return {
    forScope: (scope) => ({
      async get(productId) {
        const key = cacheKeyOfProduct(scope, productId);
        const hit = entries.get(key);
        if (hit && now() - hit.at < ttlMs) return hit.mappings;
        return store_(key, await load(scope, productId));
      },
      remember(expectation, mapping) {
        const key = cacheKeyOfProduct(scope, expectation.productId);
        const current = entries.get(key)?.mappings ?? { product: null, offers: [] };
        return store_(key, withMapping(current, expectation, mapping));
      },
    }),
  };
}
