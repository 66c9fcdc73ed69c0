import { AppError } from '../domain/errors.ts';
import type { Mapping, MappingInput, OffersOnlyProduct, ProductMappings } from '../domain/mapping.ts';
import { applyHotmartEvent } from './apply-event.ts';
import { withMapping } from './mapping-cache.ts';
import type { EventStore, MappingRef, MappingStore, Page, Precondition } from './ports.ts';

export type MappingDeps = { store: MappingStore; events: EventStore };

const describe = (ref: MappingRef) => `product ${ref.productId}${ref.offerCode === undefined ? '' : ` offer ${ref.offerCode}`}`;

/**
 * Creates or replaces a product's (or one offer's) mapping, then applies every purchase of the
 * product that waited for a mapping, in `creation_date` order; those it still does not resolve
 * keep waiting. Events parked while this runs are caught too: parking checks in the same
 * transaction that the mappings are absent, and this reads the parked events strongly
 * consistently after the mapping is written.
 */
export async function putMapping(
  ref: MappingRef,
  input: MappingInput,
  precondition: Precondition,
  deps: MappingDeps,
): Promise<{ mapping: Mapping; created: boolean; appliedEvents: number }> {
  const { mapping, created } = await deps.store.put(ref, input, precondition);
  let mappings: ProductMappings = await deps.store.get(ref.productId);
  const lookup = {
    get: async () => mappings,
    remember: (expectation: Parameters<typeof withMapping>[1], changed: Mapping | null) => (mappings = withMapping(mappings, expectation, changed)),
  };
  let appliedEvents = 0;
  for (const parked of await deps.events.listParked(ref.productId)) {
    const outcome = await applyHotmartEvent(parked.event, { events: deps.events, mappings: lookup }, { receivedAt: parked.receivedAt, mode: 'parked' });
    if (outcome.status === 'processed') appliedEvents++;
  }
  return { mapping, created, appliedEvents };
}

/** A mapping and the product's offer overrides; a product with overrides only reads as `mapping: null` (404 when it has neither). */
export async function getMapping(ref: MappingRef, deps: Pick<MappingDeps, 'store'>): Promise<{ mapping: Mapping | null; offers: Mapping[] }> {
  const { product, offers } = await deps.store.get(ref.productId);
  const mapping = ref.offerCode === undefined ? product : (offers.find((offer) => offer.offerCode === ref.offerCode) ?? null);
  if (!mapping && (ref.offerCode !== undefined || offers.length === 0)) throw new AppError('MAPPING.NOT_FOUND', `${describe(ref)} has no mapping`);
  return { mapping, offers };
}

export async function deleteMapping(ref: MappingRef, precondition: Precondition, deps: Pick<MappingDeps, 'store'>): Promise<void> {
  if (!(await deps.store.delete(ref, precondition))) throw new AppError('MAPPING.NOT_FOUND', `${describe(ref)} has no mapping`);
}

export function listMappings(limit: number, cursor: string | undefined, deps: Pick<MappingDeps, 'store'>): Promise<Page<Mapping | OffersOnlyProduct>> {
  return deps.store.list(limit, cursor);
}
