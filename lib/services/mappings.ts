import { AppError } from '../domain/errors.ts';
import type { Mapping, MappingInput, OffersOnlyProduct } from '../domain/mapping.ts';
import { applyParked } from './apply-parked.ts';
import type { EventStore, MappingRef, MappingStore, Page, ParkedJobLauncher, Precondition } from './ports.ts';

export type MappingDeps = { store: MappingStore; events: EventStore };

const describe = (ref: MappingRef) => `product ${ref.productId}${ref.offerCode === undefined ? '' : ` offer ${ref.offerCode}`}`;

/**
 * What a PUT did with the product's waiting purchases: applied now, still waiting, and whether the
 * rest went to the background (`failed`: the worker could not be started; `failure` names the error).
 */
export type ParkedProgress = { appliedEvents: number; pendingEvents: number; background: 'none' | 'started' | 'failed'; failure?: string };

/**
 * Creates or replaces a product's (or one offer's) mapping, then applies the purchases of the
 * product that waited for a mapping, in `creation_date` order, until `deadline` (epoch ms); if
 * some are left, a background worker applies the rest (`launch`). Those it still does not
 * resolve keep waiting. Events parked while this runs are caught too: parking checks in the same
 * transaction that the mappings are absent, and this reads the parked events strongly
 * consistently after the mapping is written.
 */
export async function putMapping(
  ref: MappingRef,
  input: MappingInput,
  precondition: Precondition,
  deps: MappingDeps & { launch: ParkedJobLauncher },
  deadline: number,
): Promise<{ mapping: Mapping; created: boolean } & ParkedProgress> {
  const { mapping, created } = await deps.store.put(ref, input, precondition);
  const { applied, next } = await applyParked(ref.productId, { deadline }, deps);
  let progress: Pick<ParkedProgress, 'background' | 'failure'> = { background: 'none' };
  if (next !== null) {
    // The mapping is stored whatever happens here: a failed start is reported, not thrown.
    progress = await deps.launch({ productId: ref.productId, after: next }).then(
      () => ({ background: 'started' as const }),
      (error: unknown) => ({ background: 'failed' as const, failure: error instanceof Error ? error.name : 'Error' }),
    );
  }
  return { mapping, created, appliedEvents: applied, pendingEvents: await deps.events.countParked(ref.productId), ...progress };
}

/**
 * A mapping, the product's offer overrides, and how many of the product's purchases still wait; a
 * product with overrides only reads as `mapping: null` (404 when it has neither).
 */
export async function getMapping(ref: MappingRef, deps: MappingDeps): Promise<{ mapping: Mapping | null; offers: Mapping[]; pendingEvents: number }> {
  const { product, offers } = await deps.store.get(ref.productId);
  const mapping = ref.offerCode === undefined ? product : (offers.find((offer) => offer.offerCode === ref.offerCode) ?? null);
  if (!mapping && (ref.offerCode !== undefined || offers.length === 0)) throw new AppError('MAPPING.NOT_FOUND', `${describe(ref)} has no mapping`);
  return { mapping, offers, pendingEvents: await deps.events.countParked(ref.productId) };
}

export async function deleteMapping(ref: MappingRef, precondition: Precondition, deps: Pick<MappingDeps, 'store'>): Promise<void> {
  if (!(await deps.store.delete(ref, precondition))) throw new AppError('MAPPING.NOT_FOUND', `${describe(ref)} has no mapping`);
}

export function listMappings(limit: number, cursor: string | undefined, deps: Pick<MappingDeps, 'store'>): Promise<Page<Mapping | OffersOnlyProduct>> {
  return deps.store.list(limit, cursor);
}
