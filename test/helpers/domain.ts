import type { HotmartEvent } from '#lib/domain/hotmart/event.ts';
import type { Mapping, ProductMappings } from '#lib/domain/mapping.ts';
import { DEFAULT_POLICY } from '#lib/domain/mapping.ts';

/** Product 1 mapped to course c1: the unit tests of the rules plan against it. */
export const mapping: Mapping = { productId: '1', targets: [{ type: 'course', id: 'c1' }], policy: DEFAULT_POLICY, version: 3, createdAt: 0, updatedAt: 0 };
export const mapped: ProductMappings = { product: mapping, offers: [] };

/** A parsed event of product 1, transaction HP1, buyer a@example.com; `extra` overrides any field. */
export const domainEvent = (name: string, extra: Partial<HotmartEvent> = {}): HotmartEvent => ({
  id: `e-${name}`,
  event: name,
  version: '2.0.0',
  creationDate: 1,
  productId: '1',
  transaction: 'HP1',
  buyerEmail: 'a@example.com',
  test: false,
  ...extra,
});
