import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { DynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import type { Mapping } from '#lib/domain/mapping.ts';
import { MappingInputSchema } from '#lib/domain/mapping.ts';
import { ifMatchVersion, jsonBody, routeByKey, validate } from '#lib/http/request.ts';
import { json, noContent } from '#lib/http/responses.ts';
import { deleteMapping, getMapping, listMappings, putMapping } from '#lib/services/mappings.ts';
import { ListQuerySchema, ProductPathSchema } from './schema.ts';

const view = (mapping: Mapping) => ({
  ...mapping,
  createdAt: new Date(mapping.createdAt).toISOString(),
  updatedAt: new Date(mapping.updatedAt).toISOString(),
});
const etag = (mapping: Mapping) => ({ etag: `"${mapping.version}"` });
const productOf = (event: APIGatewayProxyEventV2) => validate(ProductPathSchema, event.pathParameters ?? {}, 'path').productId;

export function mappingRoutes(deps: DynamoDeps) {
  const ports = { store: deps.mappingStore, events: deps.events };
  return routeByKey({
    'PUT /mappings/{productId}': async (event) => {
      const productId = productOf(event);
      const input = validate(MappingInputSchema, jsonBody(event), 'mapping');
      const { mapping, created, appliedEvents } = await putMapping(productId, input, ifMatchVersion(event), ports);
      return json(created ? 201 : 200, { ...view(mapping), appliedEvents }, etag(mapping));
    },
    'GET /mappings/{productId}': async (event) => {
      const mapping = await getMapping(productOf(event), ports);
      return json(200, view(mapping), etag(mapping));
    },
    'DELETE /mappings/{productId}': async (event) => {
      await deleteMapping(productOf(event), ifMatchVersion(event), ports);
      return noContent();
    },
    'GET /mappings': async (event) => {
      const query = validate(ListQuerySchema, event.queryStringParameters ?? {}, 'query');
      const page = await listMappings(query.limit, query.cursor, ports);
      return json(200, { items: page.items.map(view), nextCursor: page.nextCursor });
    },
  });
}
