import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { DynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import type { Mapping } from '#lib/domain/mapping.ts';
import { MappingInputSchema } from '#lib/domain/mapping.ts';
import type { Route } from '#lib/http/request.ts';
import { jsonBody, preconditionOf, routeByKey, validate } from '#lib/http/request.ts';
import { isoDate, json, noContent } from '#lib/http/responses.ts';
import { deleteMapping, getMapping, listMappings, putMapping } from '#lib/services/mappings.ts';
import type { MappingRef } from '#lib/services/ports.ts';
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

export function mappingRoutes(deps: DynamoDeps) {
  const ports = { store: deps.mappingStore, events: deps.events };
  const put: Route = async (event) => {
    const input = validate(MappingInputSchema, jsonBody(event), 'mapping');
    const ref = refOf(event);
    const { mapping, created, appliedEvents } = await putMapping(ref, input, preconditionOf(event), ports);
    return json(created ? 201 : 200, { ...view(mapping), appliedEvents }, { ...etag(mapping), ...(created ? { location: locationOf(ref) } : {}) });
  };
  const get: Route = async (event) => {
    const ref = refOf(event);
    const { mapping, offers } = await getMapping(ref, ports);
    // A product with offer overrides only has no version of its own: `targets: null`, no ETag.
    if (!mapping) return json(200, { productId: ref.productId, targets: null, offers: offers.map(view) });
    // A product's mapping shows its offer overrides.
    return json(200, ref.offerCode === undefined ? { ...view(mapping), offers: offers.map(view) } : view(mapping), etag(mapping));
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
