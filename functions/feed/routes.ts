import type { FeedDeps } from '#lib/adapters/feed-admin.ts';
import { callerOf, jsonBody, validate } from '#lib/http/request.ts';
import { routeBySchool, SCHOOL_PATH } from '#lib/http/school-routes.ts';
import { isoDate, json, noContent } from '#lib/http/responses.ts';
import type { Logger } from '#lib/logger.ts';
import { deleteFeedEndpoint, listFeedEvents, pingFeedEndpoint, putFeedEndpoint, readFeedEndpoint, replayFeed, rotateFeedSecret } from '#lib/services/feed-admin.ts';
import { FeedEndpointBodySchema, FeedEventsQuerySchema, ReplayBodySchema } from './schema.ts';

const PATH = `${SCHOOL_PATH}/feed`;

/** The school's feed (README, "Receive enrollment events"). A secret is in an answer only when made; never in a log. */
export function feedRoutes(deps: FeedDeps, logger: Logger) {
  return routeBySchool(deps.schools, deps.storesFor, {
    [`PUT ${PATH}`]: async (event, deps) => {
      const input = validate(FeedEndpointBodySchema, jsonBody(event), 'body');
      const outcome = await putFeedEndpoint(input, deps);
      const endpoint = { url: outcome.endpoint.url, types: outcome.endpoint.types };
      logger.info('feed endpoint stored', { schoolId: deps.school.schoolId, created: outcome.created, types: endpoint.types.length, by: callerOf(event) });
      return outcome.created
        ? json(201, { ...endpoint, secret: outcome.secret, createdAt: isoDate(outcome.endpoint.createdAt) })
        : json(200, { ...endpoint, createdAt: isoDate(outcome.endpoint.createdAt) });
    },
    [`GET ${PATH}`]: async (_event, deps) => {
      const view = await readFeedEndpoint(deps);
      return json(200, { ...view, failingSince: isoDate(view.failingSince) });
    },
    [`DELETE ${PATH}`]: async (event, deps) => {
      await deleteFeedEndpoint(deps);
      logger.info('feed endpoint removed', { schoolId: deps.school.schoolId, by: callerOf(event) });
      return noContent();
    },
    [`POST ${PATH}/secret`]: async (event, deps) => {
      const { secret, previousValidUntil } = await rotateFeedSecret(deps);
      logger.info('feed secret rotated', { schoolId: deps.school.schoolId, by: callerOf(event) });
      return json(200, { secret, previousValidUntil: isoDate(previousValidUntil) });
    },
    [`POST ${PATH}/ping`]: async (_event, deps) => {
      const result = await pingFeedEndpoint(deps);
      logger.info('feed ping sent', { schoolId: deps.school.schoolId, status: result.status, latencyMs: result.latencyMs, ...(result.error ? { error: result.error } : {}) });
      return json(200, result);
    },
    [`GET ${PATH}/events`]: async (event, deps) => {
      const query = validate(FeedEventsQuerySchema, event.queryStringParameters ?? {}, 'query');
      return json(200, await listFeedEvents({ limit: query.limit, after: query.after }, deps));
    },
    [`POST ${PATH}/replay`]: async (event, deps) => {
      const input = validate(ReplayBodySchema, jsonBody(event), 'body');
      const { replay } = await replayFeed(input, deps);
      logger.info('feed replay started', { schoolId: deps.school.schoolId, replay, by: callerOf(event) });
      return json(202, { replay, ...('eventIds' in input ? { eventIds: input.eventIds.length } : { from: isoDate(input.from), to: isoDate(input.to ?? null) }) });
    },
  });
}
