import type { RouteDoc } from '#lib/http/api-doc.ts';
import { errors, jsonBodyDoc, pageOf, SCHOOL_ERRORS } from '#lib/http/api-doc.ts';
import {
  FeedDeliverySchema,
  FeedEndpointBodySchema,
  FeedEndpointCreatedSchema,
  FeedEndpointStoredSchema,
  FeedEventSchema,
  FeedEventsQuerySchema,
  FeedPingAnswerSchema,
  FeedReplayStartedSchema,
  FeedSecretRotatedSchema,
  ReplayBodySchema,
} from './schema.ts';

const base = { tags: ['feed'], auth: 'iam' } as const;
const PATH = '/schools/{schoolId}/feed';
/** FEED.NOT_FOUND: the school has no endpoint (PUT it first). */
const noEndpoint = errors(...SCHOOL_ERRORS);

export const routes: RouteDoc[] = [
  {
    ...base,
    method: 'PUT',
    path: PATH,
    summary: 'Set where the feed pushes, and which event types (every type when `types` is absent)',
    description: 'The first PUT (or the first after a DELETE) makes the signing secret and shows it, once. A later PUT keeps the secret, does not show it, and re-enables a disabled endpoint.',
    body: jsonBodyDoc(FeedEndpointBodySchema),
    responses: {
      200: { description: 'Updated (the secret kept, not shown)', schema: FeedEndpointStoredSchema },
      201: { description: 'Created: the secret (`whsec_…`) is shown only now and on rotation', schema: FeedEndpointCreatedSchema },
      ...errors(...SCHOOL_ERRORS, 413),
    },
  },
  { ...base, method: 'GET', path: PATH, summary: 'The endpoint (without its secret) and its delivery state', responses: { 200: { description: 'The endpoint', schema: FeedDeliverySchema }, ...noEndpoint } },
  { ...base, method: 'DELETE', path: PATH, summary: 'Remove the endpoint (nothing is pushed; events keep being recorded)', responses: { 204: { description: 'Removed' }, ...noEndpoint } },
  {
    ...base,
    method: 'POST',
    path: `${PATH}/secret`,
    summary: 'Rotate the signing secret: for 24 h both the new and the previous secret sign',
    responses: { 200: { description: 'The new secret, shown only now', schema: FeedSecretRotatedSchema }, ...noEndpoint },
  },
  {
    ...base,
    method: 'POST',
    path: `${PATH}/ping`,
    summary: 'Send a signed `ping` event to the endpoint now (not retried, not in the pull)',
    responses: { 200: { description: "How the endpoint answered (`status` null: it did not)", schema: FeedPingAnswerSchema }, ...noEndpoint },
  },
  {
    ...base,
    method: 'GET',
    path: `${PATH}/events`,
    summary: "The school's feed events in the order they were emitted (kept at least 30 days; no pings)",
    query: FeedEventsQuerySchema,
    responses: { 200: { description: 'A page of events, the bodies that are pushed (`nextCursor` null on the last page)', schema: pageOf(FeedEventSchema) }, ...errors(...SCHOOL_ERRORS) },
  },
  {
    ...base,
    method: 'POST',
    path: `${PATH}/replay`,
    summary: 'Send events again, same ids and bodies: `{from, to?}` (by createdAt) or `{eventIds}`',
    body: jsonBodyDoc(ReplayBodySchema),
    responses: {
      202: { description: 'The replay started', schema: FeedReplayStartedSchema },
      ...errors(...SCHOOL_ERRORS, 413),
      409: { description: 'The endpoint is disabled (it answered 410): PUT it again first', schema: errors(409)[409]!.schema },
    },
  },
];
