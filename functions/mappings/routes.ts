import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { DynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import type { Mapping } from '#lib/domain/mapping.ts';
import { MappingInputSchema } from '#lib/domain/mapping.ts';
import { TIMEOUT_MARGIN_MS } from '#lib/http/handler.ts';
import type { Route } from '#lib/http/request.ts';
import { jsonBody, preconditionOf, routeByKey, validate } from '#lib/http/request.ts';
import { isoDate, json, noContent } from '#lib/http/responses.ts';
import { deleteMapping, getMapping, listMappings, putMapping } from '#lib/services/mappings.ts';
import type { Logger } from '#lib/logger.ts';
import type { MappingRef, ParkedJobLauncher } from '#lib/services/ports.ts';
import { ListQuerySchema, MappingPathSchema } from './schema.ts';

const view = (mapping: Mapping) => ({
  ...mapping,
  createdAt: isoDate(mapping.createdAt),
  updatedAt: isoDate(mapping.updatedAt),
});
const etag = (mapping: Mapping) => ({ etag: `"${mapping.version}"` });
/** Where a created mapping lives, under its canonical product id. */
const locationOf = (ref: MappingRef) => `/mappings/${ref.productId}${ref.offerCode === undefined ? '' : `/offers/${ref.offerCode}`}`;
const refOf = (event: APIGatewayProxyEventV2): MappingRef => {
  const { productId, offerCode } = validate(MappingPathSchema, event.pathParameters ?? {}, 'path');
  return offerCode === undefined ? { productId } : { productId, offerCode };
};

/** Time a PUT keeps, after applying waiting purchases inline, to count the rest, start the worker and answer. */
const ANSWER_RESERVE_MS = 1000;

export function mappingRoutes(deps: DynamoDeps, options: { launch: ParkedJobLauncher; inlineBudgetMs: number; logger: Logger }) {
  const ports = { store: deps.mappingStore, events: deps.events, launch: options.launch };
  /** Waiting purchases are applied inline for the budget, or less if the Lambda has less time left. */
  const inlineDeadline = (context?: Context) => {
    const left = context?.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS - ANSWER_RESERVE_MS : Infinity;
    return Date.now() + Math.max(0, Math.min(options.inlineBudgetMs, left));
  };
  const put: Route = async (event, context) => {
    const input = validate(MappingInputSchema, jsonBody(event), 'mapping');
    const ref = refOf(event);
    const { mapping, created, appliedEvents, pendingEvents, background, failure } = await putMapping(ref, input, preconditionOf(event), ports, inlineDeadline(context));
    if (background === 'failed') {
      options.logger.error('background apply not started: the waiting purchases wait for the next PUT', { productId: ref.productId, appliedEvents, pendingEvents, errorName: failure });
    } else if (background === 'started') {
      options.logger.info('background apply started', { productId: ref.productId, appliedEvents, pendingEvents });
    }
    return json(created ? 201 : 200, { ...view(mapping), appliedEvents, pendingEvents, backgroundApply: background }, { ...etag(mapping), ...(created ? { location: locationOf(ref) } : {}) });
  };
  const get: Route = async (event) => {
    const ref = refOf(event);
    const { mapping, offers, pendingEvents } = await getMapping(ref, ports);
    // A product with offer overrides only has no version of its own: `targets: null`, no ETag.
    if (!mapping) return json(200, { productId: ref.productId, targets: null, offers: offers.map(view), pendingEvents });
    // A product's mapping shows its offer overrides; both show the product's purchases still waiting.
    return json(200, ref.offerCode === undefined ? { ...view(mapping), offers: offers.map(view), pendingEvents } : { ...view(mapping), pendingEvents }, etag(mapping));
  };
  const remove: Route = async (event) => {
    await deleteMapping(refOf(event), preconditionOf(event), ports);
    return noContent();
  };
  return routeByKey({
    'PUT /mappings/{productId}': put,
    'GET /mappings/{productId}': get,
    'DELETE /mappings/{productId}': remove,
    'PUT /mappings/{productId}/offers/{offerCode}': put,
    'GET /mappings/{productId}/offers/{offerCode}': get,
    'DELETE /mappings/{productId}/offers/{offerCode}': remove,
    'GET /mappings': async (event) => {
      const query = validate(ListQuerySchema, event.queryStringParameters ?? {}, 'query');
      const page = await listMappings(query.limit, query.cursor, ports);
      return json(200, { items: page.items.map((item) => (item.targets === null ? item : view(item))), nextCursor: page.nextCursor });
    },
  });
}
