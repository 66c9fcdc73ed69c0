import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { DynamoDeps, SchoolStores } from '#lib/adapters/dynamodb/index.ts';
import type { Mapping } from '#lib/domain/mapping.ts';
import { MappingInputSchema } from '#lib/domain/mapping.ts';
import { TIMEOUT_MARGIN_MS } from '#lib/http/handler.ts';
import { jsonBody, preconditionOf, validate } from '#lib/http/request.ts';
import type { SchoolRoute } from '#lib/http/school-routes.ts';
import { routeBySchool, SCHOOL_PATH } from '#lib/http/school-routes.ts';
import { isoDate, json, noContent } from '#lib/http/responses.ts';
import { deleteMapping, getMapping, listMappings, putMapping } from '#lib/services/mappings.ts';
import type { Logger } from '#lib/logger.ts';
import type { MappingRef, ParkedJob, SchoolParkedJobLauncher } from '#lib/services/ports.ts';
import { ListQuerySchema, MappingPathSchema } from './schema.ts';

const view = (mapping: Mapping) => ({
  ...mapping,
  createdAt: isoDate(mapping.createdAt),
  updatedAt: isoDate(mapping.updatedAt),
});
const etag = (mapping: Mapping) => ({ etag: `"${mapping.version}"` });
/** Where a created mapping lives, under its canonical product id. */
const locationOf = (schoolId: string, ref: MappingRef) => `/schools/${schoolId}/mappings/${ref.productId}${ref.offerCode === undefined ? '' : `/offers/${ref.offerCode}`}`;
const refOf = (event: APIGatewayProxyEventV2): MappingRef => {
  const { productId, offerCode } = validate(MappingPathSchema, event.pathParameters ?? {}, 'path');
  return offerCode === undefined ? { productId } : { productId, offerCode };
};

/** Time a PUT keeps, after applying waiting purchases inline, to count the rest, start the worker and answer. */
const ANSWER_RESERVE_MS = 1000;

type Route = SchoolRoute<SchoolStores>;

export function mappingRoutes(deps: Pick<DynamoDeps, 'schools' | 'storesFor'>, options: { launch: SchoolParkedJobLauncher; inlineBudgetMs: number; logger: Logger }) {
  /** The school's stores, and the background worker's launcher bound to the school. */
  const portsOf = (scoped: Parameters<Route>[1]) => ({ store: scoped.mappingStore, events: scoped.events, launch: (job: ParkedJob) => options.launch({ ...job, scope: scoped.scope }) });
  /** Waiting purchases are applied inline for the budget, or less if the Lambda has less time left. */
  const inlineDeadline = (context?: Context) => {
    const left = context?.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS - ANSWER_RESERVE_MS : Infinity;
    return Date.now() + Math.max(0, Math.min(options.inlineBudgetMs, left));
  };
  const put: Route = async (event, scoped, context) => {
    const ports = portsOf(scoped);
    const input = validate(MappingInputSchema, jsonBody(event), 'mapping');
    const ref = refOf(event);
    const { mapping, created, appliedEvents, pendingEvents, background, failure } = await putMapping(ref, input, preconditionOf(event), ports, inlineDeadline(context));
    if (background === 'failed') {
      options.logger.error('background apply not started: the waiting purchases wait for the next PUT', { schoolId: scoped.school.schoolId, productId: ref.productId, appliedEvents, pendingEvents, errorName: failure });
    } else if (background === 'started') {
      options.logger.info('background apply started', { schoolId: scoped.school.schoolId, productId: ref.productId, appliedEvents, pendingEvents });
    }
    return json(created ? 201 : 200, { ...view(mapping), appliedEvents, pendingEvents, backgroundApply: background }, { ...etag(mapping), ...(created ? { location: locationOf(scoped.school.schoolId, ref) } : {}) });
  };
  const get: Route = async (event, scoped) => {
    const ref = refOf(event);
    const { mapping, offers, pendingEvents } = await getMapping(ref, portsOf(scoped));
    // A product with offer overrides only has no version of its own: `targets: null`, no ETag.
    if (!mapping) return json(200, { productId: ref.productId, targets: null, offers: offers.map(view), pendingEvents });
    // A product's mapping shows its offer overrides; both show the product's purchases still waiting.
    return json(200, ref.offerCode === undefined ? { ...view(mapping), offers: offers.map(view), pendingEvents } : { ...view(mapping), pendingEvents }, etag(mapping));
  };
  const remove: Route = async (event, scoped) => {
    await deleteMapping(refOf(event), preconditionOf(event), portsOf(scoped));
    return noContent();
  };
  return routeBySchool(deps.schools, deps.storesFor, {
    [`PUT ${SCHOOL_PATH}/mappings/{productId}`]: put,
    [`GET ${SCHOOL_PATH}/mappings/{productId}`]: get,
    [`DELETE ${SCHOOL_PATH}/mappings/{productId}`]: remove,
    [`PUT ${SCHOOL_PATH}/mappings/{productId}/offers/{offerCode}`]: put,
    [`GET ${SCHOOL_PATH}/mappings/{productId}/offers/{offerCode}`]: get,
    [`DELETE ${SCHOOL_PATH}/mappings/{productId}/offers/{offerCode}`]: remove,
    [`GET ${SCHOOL_PATH}/mappings`]: async (event, scoped) => {
      const query = validate(ListQuerySchema, event.queryStringParameters ?? {}, 'query');
      const page = await listMappings(query.limit, query.cursor, portsOf(scoped));
      return json(200, { items: page.items.map((item) => (item.targets === null ? item : view(item))), nextCursor: page.nextCursor });
    },
  });
}
