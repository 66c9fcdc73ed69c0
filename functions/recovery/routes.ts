import type { DynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import type * as z from 'zod';
import { callerOf, jsonBody, validate } from '#lib/http/request.ts';
import { routeBySchool, SCHOOL_PATH } from '#lib/http/school-routes.ts';
import type { Logger } from '#lib/logger.ts';
import { isoDate, json } from '#lib/http/responses.ts';
import { eraseStudent } from '#lib/services/erasure.ts';
import { listQuarantine, replayEvent, replayQuarantined } from '#lib/services/recovery.ts';
import type { QuarantineRecord } from '#lib/services/ports.ts';
import type { QuarantineViewSchema } from './schema.ts';
import { CORRECTION_MAX_BYTES, EventPathSchema, QuarantineListSchema, QuarantinePathSchema, QuarantineReplaySchema, StudentPathSchema } from './schema.ts';

const view = (record: QuarantineRecord): z.output<typeof QuarantineViewSchema> => ({ ...record, receivedAt: isoDate(record.receivedAt), expiresAt: isoDate(record.expiresAt * 1000) });

export function recoveryRoutes(deps: Pick<DynamoDeps, 'schools' | 'storesFor'>, logger: Logger) {
  return routeBySchool(deps.schools, deps.storesFor, {
    [`GET ${SCHOOL_PATH}/quarantine`]: async (event, deps) => {
      const query = validate(QuarantineListSchema, event.queryStringParameters ?? {}, 'query');
      const page = await listQuarantine(query.limit, query.cursor, deps);
      return json(200, { items: page.items.map(view), nextCursor: page.nextCursor });
    },
    [`POST ${SCHOOL_PATH}/quarantine/{id}/replay`]: async (event, deps) => {
      const { id } = validate(QuarantinePathSchema, event.pathParameters ?? {}, 'path');
      const correction = event.body ? validate(QuarantineReplaySchema, jsonBody(event, CORRECTION_MAX_BYTES), 'body') : undefined;
      // Who replayed what, and when (the line's time); never the body, which holds personal data.
      const audit = { schoolId: deps.school.schoolId, quarantineId: id, by: callerOf(event), corrected: correction !== undefined };
      logger.info(correction ? 'replaying a quarantined delivery with a corrected body' : 'replaying a quarantined delivery', audit);
      const result = await replayQuarantined(id, deps, correction);
      logger.info('quarantined delivery replayed', { ...audit, status: result.kind === 'applied' ? result.outcome.status : 'quarantined' });
      return result.kind === 'applied'
        ? json(200, { status: result.outcome.status, eventId: result.eventId, detail: result.outcome.detail })
        : json(200, { status: 'quarantined', reason: result.reason, quarantineId: result.quarantineId });
    },
    [`DELETE ${SCHOOL_PATH}/students/{email}`]: async (event, deps) => {
      const { email } = validate(StudentPathSchema, event.pathParameters ?? {}, 'path');
      return json(200, await eraseStudent(email, deps));
    },
    [`POST ${SCHOOL_PATH}/events/{eventId}/replay`]: async (event, deps) => {
      const { eventId } = validate(EventPathSchema, event.pathParameters ?? {}, 'path');
      const { outcome } = await replayEvent(eventId, deps);
      return json(200, { eventId, ...outcome });
    },
  });
}
