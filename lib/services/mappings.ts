import { AppError } from '../domain/errors.ts';
import type { Mapping, MappingInput } from '../domain/mapping.ts';
import { applyHotmartEvent } from './apply-event.ts';
import type { EventStore, MappingStore, Page } from './ports.ts';

export type MappingDeps = { store: MappingStore; events: EventStore };

/**
 * Creates or replaces a product's mapping, then applies every purchase that waited for it, in
 * `creation_date` order. Events parked while this runs are caught too: parking checks in the
 * same transaction that the mapping is absent, and this reads the parked events strongly
 * consistently after the mapping is written.
 */
export async function putMapping(
  productId: string,
  input: MappingInput,
  ifMatch: number | undefined,
  deps: MappingDeps,
): Promise<{ mapping: Mapping; created: boolean; appliedEvents: number }> {
  const { mapping, created } = await deps.store.put(productId, input, ifMatch);
  let appliedEvents = 0;
  for (const parked of await deps.events.listParked(productId)) {
    const outcome = await applyHotmartEvent(
      parked.event,
      { events: deps.events, mappings: { get: async () => mapping, remember: () => {} } },
      { receivedAt: parked.receivedAt, mode: 'parked' },
    );
    if (outcome.status === 'processed') appliedEvents++;
  }
  return { mapping, created, appliedEvents };
}

export async function getMapping(productId: string, deps: Pick<MappingDeps, 'store'>): Promise<Mapping> {
  const mapping = await deps.store.get(productId);
  if (!mapping) throw new AppError('MAPPING.NOT_FOUND', `product ${productId} has no mapping`);
  return mapping;
}

export async function deleteMapping(productId: string, ifMatch: number | undefined, deps: Pick<MappingDeps, 'store'>): Promise<void> {
  if (!(await deps.store.delete(productId, ifMatch))) {
    throw new AppError('MAPPING.NOT_FOUND', `product ${productId} has no mapping`);
  }
}

export function listMappings(limit: number, cursor: string | undefined, deps: Pick<MappingDeps, 'store'>): Promise<Page<Mapping>> {
  return deps.store.list(limit, cursor);
}
