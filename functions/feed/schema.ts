import * as z from 'zod';
import { EVENT_ID_PATTERN } from '#lib/domain/feed/event-id.ts';
import { FEED_API_VERSION } from '#lib/domain/feed/envelope.ts';
import { FEED_EVENT_TYPES, FeedCauseSchema } from '#lib/domain/feed/event-type.ts';
import { EnrollmentViewSchema } from '#lib/http/view-schemas.ts';

/** PUT /schools/{schoolId}/feed: where to push, and which types (every type when absent). */
export const FeedEndpointBodySchema = z.strictObject({
  url: z.string().trim().min(1).max(2048),
  types: z.array(z.enum(FEED_EVENT_TYPES)).min(1).max(FEED_EVENT_TYPES.length * 2).optional(),
});

const isoMs = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));

/** The most events one replay may name (the redrive's payload stays far below Lambda's 256 KB). */
export const MAX_REPLAY_EVENT_IDS = 1000;

/**
 * POST /schools/{schoolId}/feed/replay: exactly one of `{from, to?}` (by createdAt, from inclusive,
 * to exclusive) and `{eventIds}`. One object, not a union, so that a misspelt key is named.
 */
export const ReplayBodySchema = z
  .strictObject({
    from: isoMs.optional(),
    to: isoMs.optional(),
    eventIds: z.array(z.string().regex(EVENT_ID_PATTERN, 'must be an event id (evt_…)')).min(1).max(MAX_REPLAY_EVENT_IDS).optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.eventIds === undefined) === (body.from === undefined)) ctx.addIssue({ code: 'custom', path: [body.eventIds ? 'eventIds' : 'from'], message: 'give either from (and to) or eventIds' });
    else if (body.eventIds && body.to !== undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to goes with from, not with eventIds' });
    if (body.from !== undefined && body.to !== undefined && body.from >= body.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  })
  .transform((body): { from: number; to?: number } | { eventIds: string[] } =>
    body.eventIds ? { eventIds: body.eventIds } : { from: body.from!, ...(body.to !== undefined ? { to: body.to } : {}) },
  );

/** GET /schools/{schoolId}/feed/events?after=&limit= */
export const FeedEventsQuerySchema = z.strictObject({
  after: z.string().min(1).max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/* The answers (routes.ts), for the API description (openapi.ts, docs/openapi.json). */
const iso = () => z.iso.datetime();
const types = () => z.array(z.enum(FEED_EVENT_TYPES));
const secret = () => z.string().regex(/^whsec_/);

/** PUT …/feed, the first time (or after a DELETE): the secret, shown only here and on rotation. */
export const FeedEndpointCreatedSchema = z.strictObject({ url: z.string(), types: types(), secret: secret(), createdAt: iso() });
/** PUT …/feed, later: the secret kept, not shown. */
export const FeedEndpointStoredSchema = z.strictObject({ url: z.string(), types: types(), createdAt: iso() });
/** GET …/feed: the endpoint without its secret, with its delivery state. */
export const FeedDeliverySchema = z.strictObject({
  url: z.string(),
  types: types(),
  state: z.enum(['active', 'failing', 'disabled']),
  failingSince: iso().nullable(),
  lastError: z.string().nullable(),
  pending: z.number().int().min(0),
  dead: z.number().int().min(0),
});
/** POST …/feed/secret: the new secret; the previous one signs too until `previousValidUntil`. */
export const FeedSecretRotatedSchema = z.strictObject({ secret: secret(), previousValidUntil: iso() });
/** POST …/feed/ping: the endpoint's HTTP status (null: no answer), how long it took, and why it failed. */
export const FeedPingAnswerSchema = z.strictObject({ status: z.number().int().nullable(), latencyMs: z.number().min(0), error: z.string().optional() });
/** POST …/feed/replay: the replay started, and what it covers. */
export const FeedReplayStartedSchema = z.union([
  z.strictObject({ replay: z.string(), eventIds: z.number().int().min(1) }),
  z.strictObject({ replay: z.string(), from: iso(), to: iso().nullable() }),
]);

/** One event of the feed, pushed and pulled alike (lib/domain/feed/envelope.ts FeedEvent): the enrollment is GET …/enrollments' item. */
export const FeedEventSchema = z.strictObject({
  id: z.string().regex(EVENT_ID_PATTERN),
  type: z.enum(FEED_EVENT_TYPES),
  apiVersion: z.literal(FEED_API_VERSION),
  createdAt: iso(),
  schoolId: z.string(),
  sequence: z.number().int().min(1),
  enrollment: EnrollmentViewSchema,
  previous: z.strictObject({ status: EnrollmentViewSchema.shape.status, hasAccess: z.boolean(), accessUntil: iso().nullable() }).nullable(),
  cause: FeedCauseSchema,
});
