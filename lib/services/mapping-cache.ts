import type { MappingExpectation } from '../domain/write-plan.ts';
import type { Mapping, ProductMappings } from '../domain/mapping.ts';
import type { MappingStore } from './ports.ts';

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

/**
 * STAGE-WIDE: the cache's key is a product id alone, as a product id names one product in the
 * whole deployment today; with many schools it must gain the school.
 */
const cacheKeyOfProduct = (productId: string) => productId;

/**
 * Per-container cache of each product's mappings (its own and its offers'). Staleness cannot
 * cause a wrong write: every write planned on a cached mapping checks its version — or, for a
 * missing one, its absence — in the same transaction, and a failed check returns the current
 * item. The TTL only bounds how long a changed mapping costs one extra round trip.
 */
export function createMappingCache(
  store: Pick<MappingStore, 'get'>,
  { ttlMs = 60_000, maxEntries = 5_000, now = Date.now }: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): MappingLookup {
  const entries = new Map<string, { mappings: ProductMappings; at: number }>();
  const store_ = (key: string, mappings: ProductMappings) => {
    if (!entries.has(key) && entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, { mappings, at: now() });
    return mappings;
  };
  return {
    async get(productId) {
      const hit = entries.get(cacheKeyOfProduct(productId));
      if (hit && now() - hit.at < ttlMs) return hit.mappings;
      return store_(cacheKeyOfProduct(productId), await store.get(productId));
    },
    remember(expectation, mapping) {
      const key = cacheKeyOfProduct(expectation.productId);
      const current = entries.get(key)?.mappings ?? { product: null, offers: [] };
      return store_(key, withMapping(current, expectation, mapping));
    },
  };
}
