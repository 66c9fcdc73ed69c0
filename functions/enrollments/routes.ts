import type { DynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { validate } from '#lib/http/request.ts';
import { routeBySchool, SCHOOL_PATH } from '#lib/http/school-routes.ts';
import { isoDate, json } from '#lib/http/responses.ts';
import { enrollmentsOfStudent, enrollmentsOfSubscriber, eventsOf, rosterOfTarget, storedEvent } from '#lib/services/enrollments.ts';
import type { StoredEvent } from '#lib/services/ports.ts';
import { EnrollmentQuerySchema, EventPathSchema, EventQuerySchema } from './schema.ts';

const eventView = (event: StoredEvent) => ({
  ...event,
  /** A webhook delivery, or an event a reconciliation run rebuilt from Hotmart's API (`version: "api"`). */
  source: event.version === 'api' ? 'reconciliation' : 'webhook',
  creationDate: isoDate(event.creationDate),
  receivedAt: isoDate(event.receivedAt),
  approvedDate: isoDate(event.approvedDate),
  dateNextCharge: isoDate(event.dateNextCharge),
  cancellationDate: isoDate(event.cancellationDate),
  appliedAt: isoDate(event.appliedAt),
  replayedAt: isoDate(event.replayedAt),
});

export function enrollmentRoutes(deps: Pick<DynamoDeps, 'schools' | 'storesFor'>) {
  return routeBySchool(deps.schools, deps.storesFor, {
    [`GET ${SCHOOL_PATH}/enrollments`]: async (event, deps) => {
      const query = validate(EnrollmentQuerySchema, event.queryStringParameters ?? {}, 'query: give email, subscriberCode, or targetType and targetId');
      if ('email' in query) return json(200, { items: await enrollmentsOfStudent(query.email, deps) });
      if ('subscriberCode' in query) return json(200, { items: await enrollmentsOfSubscriber(query.subscriberCode, deps) });
      const page = await rosterOfTarget({ type: query.targetType, id: query.targetId }, query.limit, query.cursor, deps);
      return json(200, page);
    },
    [`GET ${SCHOOL_PATH}/events`]: async (event, deps) => {
      const query = validate(EventQuerySchema, event.queryStringParameters ?? {}, 'query: give exactly one of transaction and email');
      const page = await eventsOf(query, deps);
      return json(200, { items: page.items.map(eventView), nextCursor: page.nextCursor });
    },
    [`GET ${SCHOOL_PATH}/events/{eventId}`]: async (event, deps) => {
      const { eventId } = validate(EventPathSchema, event.pathParameters ?? {}, 'path');
      return json(200, eventView(await storedEvent(eventId, deps)));
    },
  });
}
