import { eventIdFloor } from '../domain/feed/event-id.ts';
import type { FeedDeliveryStore, FeedEventPage, FeedRedriveJob, FeedRedriveLauncher } from './feed-delivery-ports.ts';
import { deliveryMessage } from './feed-delivery.ts';
import type { DeliveryQueue } from './ports.ts';

/**
 * One step of a redrive (functions/feed-redrive, started asynchronously by the feed's routes):
 * `pending` queues every pending event of a re-enabled endpoint, `replay` the events of a time
 * range or a list of ids again (same ids and bodies), both in emission order and respecting the
 * endpoint's `types`. What the step has no time for goes to the next step with a cursor (`after`).
 */
export type RedriveDeps = { store: FeedDeliveryStore; queue: DeliveryQueue; launch: FeedRedriveLauncher; now: () => number };

const PAGE = 100;

export async function redriveStep(job: FeedRedriveJob, deadline: number, deps: RedriveDeps): Promise<{ queued: number; continued: boolean }> {
  const endpoint = await deps.store.readEndpoint();
  if (!endpoint || endpoint.disabledAt !== null) return { queued: 0, continued: false }; // a later PUT starts it again
  let after = job.after;
  let queued = 0;
  for (;;) {
    const page = await pageOf(job, after, deps);
    const wanted = page.events.filter((event) => endpoint.types.includes(event.type));
    if (job.mode === 'pending') {
      for (const event of page.events.filter((e) => !endpoint.types.includes(e.type))) await deps.store.notPushed(event.id);
    }
    const replay = job.mode === 'replay';
    if (wanted.length > 0) await deps.queue.send(wanted.map((event) => deliveryMessage(job.scope, event, { nonce: job.nonce, replay })));
    queued += wanted.length;
    if (page.next === null) return { queued, continued: false };
    after = page.next;
    if (Date.now() >= deadline) {
      await deps.launch({ ...job, after });
      return { queued, continued: true };
    }
  }
}

async function pageOf(job: FeedRedriveJob, after: string | undefined, deps: RedriveDeps): Promise<FeedEventPage> {
  const cursor = after === undefined ? {} : { after };
  if (job.mode === 'pending') return deps.store.pendingPage({ ...cursor, limit: PAGE });
  if ('eventIds' in job) {
    const ids = [...new Set(job.eventIds)].sort();
    const rest = after === undefined ? ids : ids.filter((id) => id > after);
    const slice = rest.slice(0, PAGE);
    const events = await deps.store.eventsByIds(slice);
    return { events, next: rest.length > PAGE ? slice.at(-1)! : null };
  }
  // Ids begin with their emission time: [from, to) by createdAt is an id range.
  const fromId = eventIdFloor(Date.parse(job.from));
  const toId = eventIdFloor(job.to === undefined ? deps.now() + 60_000 : Date.parse(job.to));
  return deps.store.rangePage({ fromId, toId, ...cursor, limit: PAGE });
}
