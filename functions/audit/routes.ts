import { routeByKey, validate } from '#lib/http/request.ts';
import { isoDate, json } from '#lib/http/responses.ts';
import type { AuditLog, AuditRecord } from '#lib/services/audit-ports.ts';
import { AuditListSchema, AuditPathSchema } from './schema.ts';

const view = ({ at, by, route, action, ids, email, change }: AuditRecord) => ({ at: isoDate(at), by, route, action, ids, ...(email !== undefined ? { email } : {}), change });

/**
 * A school's audit trail, newest first. Read by the school id, without the registry: a deleted
 * school's trail stays readable for its year ("who deleted this school?"); an id never used has none.
 */
export function auditRoutes(log: Pick<AuditLog, 'list'>) {
  return routeByKey({
    'GET /schools/{schoolId}/audit': async (event) => {
      const { schoolId } = validate(AuditPathSchema, event.pathParameters ?? {}, 'path');
      const query = validate(AuditListSchema, event.queryStringParameters ?? {}, 'query');
      const page = await log.list(schoolId, query.limit, query.cursor);
      return json(200, { items: page.items.map(view), nextCursor: page.nextCursor });
    },
  });
}
