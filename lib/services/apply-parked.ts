import type { Mapping, ProductMappings } from '../domain/mapping.ts';
import { applyHotmartEvent } from './apply-event.ts';
import { withMapping } from './mapping-cache.ts';
import type { EventStore, MappingStore, ParkedJob, ParkedJobLauncher } from './ports.ts';

export type ApplyParkedDeps = { store: MappingStore; events: EventStore };

/** Parked events read per query: small enough that a page is applied well within any budget. */
const PAGE_SIZE = 50;

/**
 * Applies a product's parked events in `creation_date` order, starting after `after`, until none
 * is left or `deadline` (epoch ms) has passed; at least one is tried, so every call makes progress.
 * Each event is applied in the transaction that removes its parked item (and only while its record
 * is still parked), so a crash loses nothing and a second pass applies nothing twice. Events that
 * still have no mapping (another offer's, say) stay parked and are passed over.
 *
 * `next`: where to go on (null when the end was reached).
 */
export async function applyParked(
  productId: string,
  options: { after?: string; deadline: number },
  deps: ApplyParkedDeps,
): Promise<{ applied: number; next: string | null }> {
  // The mappings as stored now; a later change shows up as a failed condition, which updates this.
  let mappings: ProductMappings = await deps.store.get(productId);
  const lookup = {
    get: async () => mappings,
    remember: (expectation: Parameters<typeof withMapping>[1], changed: Mapping | null) => (mappings = withMapping(mappings, expectation, changed)),
  };
  let applied = 0;
  let after = options.after;
  for (;;) {
    const page = await deps.events.listParked(productId, { limit: PAGE_SIZE, ...(after === undefined ? {} : { after }) });
    for (const parked of page.items) {
      const outcome = await applyHotmartEvent(parked.event, { events: deps.events, mappings: lookup }, { receivedAt: parked.receivedAt, mode: 'parked', arrival: parked.arrived ? { answered: 'unmapped' } : undefined });
      if (outcome.status === 'processed') applied++;
      after = parked.position;
      if (Date.now() >= options.deadline) return { applied, next: after };
    }
    if (page.next === null) return { applied, next: null };
    after = page.next;
  }
}

/**
 * One background step (functions/apply-parked): applies what fits before `deadline`, then hands
 * the rest to a new invocation. If that hand-over fails this throws, and Lambda retries the whole
 * step: what was applied is no longer parked, so the retry goes on where this one stopped.
 */
export async function drainParked(
  job: ParkedJob,
  deadline: number,
  deps: ApplyParkedDeps & { launch: ParkedJobLauncher },
): Promise<{ applied: number; continued: boolean }> {
  const { applied, next } = await applyParked(job.productId, { ...(job.after === undefined ? {} : { after: job.after }), deadline }, deps);
  if (next !== null) await deps.launch({ productId: job.productId, after: next });
  return { applied, continued: next !== null };
}
