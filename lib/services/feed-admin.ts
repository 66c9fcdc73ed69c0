import { randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors.ts';
import { FEED_EVENT_TYPES } from '../domain/feed/event-type.ts';
import type { FeedEventType } from '../domain/feed/event-type.ts';
import { pingEvent } from '../domain/feed/envelope.ts';
import { rotatedSecrets, signingSecrets } from '../domain/feed/secrets.ts';
import type { School } from '../domain/school.ts';
import type { CredentialSealer } from './credential-ports.ts';
import type { EndpointUrlCheck, FeedEndpoint, FeedEndpointStore, FeedEventReader, FeedPinger, FeedRedriveLauncher, SealedSecret } from './feed-admin-ports.ts';

/**
 * A school's feed (README, "Receive enrollment events"): its push endpoint and signing secrets,
 * the endpoint's delivery state, a ping, the pull of its events and their replay. A secret is
 * shown only when it is made (the first PUT, a rotation); it is stored sealed for the school.
 */
export type FeedAdminDeps = {
  school: School;
  scope: string;
  endpoints: FeedEndpointStore;
  events: FeedEventReader;
  sealer: CredentialSealer;
  redrive: FeedRedriveLauncher;
  ping: FeedPinger;
  checkUrl: EndpointUrlCheck;
  newSecret: () => string;
  newEventId: () => string;
  now: () => number;
};

export type EndpointView = { url: string; types: FeedEventType[]; createdAt: number };
export type DeliveryView = { url: string; types: FeedEventType[]; state: 'active' | 'failing' | 'disabled'; failingSince: number | null; lastError: string | null; pending: number; dead: number };

const noEndpoint = (schoolId: string) => new AppError('FEED.NOT_FOUND', `school ${schoolId} has no feed endpoint: PUT /schools/${schoolId}/feed first`);
const view = (endpoint: FeedEndpoint): EndpointView => ({ url: endpoint.url, types: endpoint.types, createdAt: endpoint.createdAt });
/** The types in the table's order, each once; every type when none is given. */
const typesOf = (types: readonly FeedEventType[] | undefined): FeedEventType[] => (types ? FEED_EVENT_TYPES.filter((type) => types.includes(type)) : [...FEED_EVENT_TYPES]);

async function endpointOf(deps: Pick<FeedAdminDeps, 'endpoints' | 'school'>): Promise<FeedEndpoint> {
  const endpoint = await deps.endpoints.get();
  if (!endpoint) throw noEndpoint(deps.school.schoolId);
  return endpoint;
}

/**
 * PUT …/feed: the first time (or after a DELETE) a new secret, shown once; later the URL and
 * types change, the secrets stay. A PUT on a disabled endpoint re-enables it and hands what is
 * pending to the redrive worker; if that cannot start, the endpoint is disabled again (503) so
 * that the next PUT tries again.
 */
export async function putFeedEndpoint(input: { url: string; types?: FeedEventType[] }, deps: FeedAdminDeps): Promise<{ created: true; endpoint: EndpointView; secret: string } | { created: false; endpoint: EndpointView }> {
  const check = await deps.checkUrl(input.url);
  if (!check.ok) throw new AppError('REQUEST.INVALID', `this URL cannot be a feed endpoint: ${check.reason}`, [{ field: 'url', message: check.reason }]);
  const types = typesOf(input.types);
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = deps.now();
    if ((await deps.endpoints.get()) === null) {
      const secret = deps.newSecret();
      const endpoint: FeedEndpoint = { url: input.url, types, secrets: [{ sealed: await deps.sealer.seal(deps.school.schoolId, secret), createdAt: now, validUntil: null }], createdAt: now, updatedAt: now, disabledAt: null, disabledReason: null };
      if ((await deps.endpoints.create(endpoint)) === 'created') return { created: true, endpoint: view(endpoint), secret };
    }
    const before = await deps.endpoints.update({ url: input.url, types, updatedAt: now });
    if (before === null) continue; // deleted meanwhile: a first PUT again
    if (before.disabledAt !== null) {
      try {
        await deps.redrive.launch({ schoolId: deps.school.schoolId, scope: deps.scope, mode: 'pending' });
      } catch (error) {
        await deps.endpoints.restoreDisabled(now, before.disabledAt, before.disabledReason);
        throw error;
      }
    }
    return { created: false, endpoint: view({ ...before, url: input.url, types }) };
  }
  throw new AppError('STORAGE.CONTENTION', 'the feed endpoint kept changing; retry');
}

/** GET …/feed: the endpoint without its secrets, and how its deliveries stand. */
export async function readFeedEndpoint(deps: FeedAdminDeps): Promise<DeliveryView> {
  const endpoint = await endpointOf(deps);
  const { pending, dead, oldestPending } = await deps.events.deliveryCounts();
  const failing = oldestPending !== null && oldestPending.attempts >= 1;
  return {
    url: endpoint.url,
    types: endpoint.types,
    state: endpoint.disabledAt !== null ? 'disabled' : failing ? 'failing' : 'active',
    failingSince: failing ? oldestPending.firstFailedAt : null,
    lastError: failing ? oldestPending.lastError : null,
    pending,
    dead,
  };
}

/** DELETE …/feed: nothing is pushed any more (events keep being recorded and pulled); the next PUT is a first one. */
export async function deleteFeedEndpoint(deps: FeedAdminDeps): Promise<void> {
  await deps.endpoints.remove();
}

/** POST …/feed/secret: a new current secret (shown once); the one it replaces signs too for 24 h; at most two. */
export async function rotateFeedSecret(deps: FeedAdminDeps): Promise<{ secret: string; previousValidUntil: number }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const endpoint = await endpointOf(deps);
    const now = deps.now();
    const secret = deps.newSecret();
    const fresh: SealedSecret = { sealed: await deps.sealer.seal(deps.school.schoolId, secret), createdAt: now, validUntil: null };
    const current = endpoint.secrets.find((s) => s.validUntil === null);
    const secrets = rotatedSecrets(endpoint.secrets, fresh, now);
    if (current && (await deps.endpoints.replaceSecrets(current.sealed, secrets, now))) return { secret, previousValidUntil: secrets[1]!.validUntil! };
  }
  throw new AppError('STORAGE.CONTENTION', 'the feed endpoint kept changing; retry');
}

/** POST …/feed/ping: a `ping` event signed by every valid secret, sent now, not stored, not retried. */
export async function pingFeedEndpoint(deps: FeedAdminDeps): Promise<{ status: number | null; latencyMs: number; error?: string }> {
  const endpoint = await endpointOf(deps);
  const now = deps.now();
  const secrets = await Promise.all(signingSecrets(endpoint.secrets, now).map((s) => deps.sealer.open(deps.school.schoolId, s.sealed)));
  const ping = pingEvent({ id: deps.newEventId(), createdAt: now, schoolId: deps.school.schoolId });
  const result = await deps.ping({ url: endpoint.url, id: ping.id, body: JSON.stringify(ping), secrets });
  return { status: result.status, latencyMs: result.latencyMs, ...(result.error ? { error: result.error } : {}) };
}

/** GET …/feed/events: the school's events in emission order, the bodies that are pushed. */
export function listFeedEvents(page: { limit: number; after: string | undefined }, deps: FeedAdminDeps) {
  return deps.events.page(page.limit, page.after);
}

export type ReplayInput = { from: number; to?: number } | { eventIds: string[] };

/** POST …/feed/replay: hands the events to the redrive worker (same ids and bodies, fresh signatures); 409 while disabled. */
export async function replayFeed(input: ReplayInput, deps: FeedAdminDeps): Promise<{ replay: string }> {
  const endpoint = await endpointOf(deps);
  if (endpoint.disabledAt !== null) {
    throw new AppError('FEED.DISABLED', 'the feed endpoint is disabled (it answered 410): PUT /feed again to re-enable it, which also delivers what is pending');
  }
  const replay = `rpl_${randomBytes(12).toString('hex')}`;
  const base = { schoolId: deps.school.schoolId, scope: deps.scope, mode: 'replay' as const, replay };
  await deps.redrive.launch('eventIds' in input ? { ...base, eventIds: input.eventIds } : { ...base, from: input.from, to: input.to ?? null });
  return { replay };
}
