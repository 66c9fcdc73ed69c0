import * as z from 'zod';
import { EVENT_ID_PATTERN } from '#lib/domain/feed/event-id.ts';
import { FEED_EVENT_TYPES } from '#lib/domain/feed/event-type.ts';

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
