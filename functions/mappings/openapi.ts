import * as z from 'zod';
import { MappingInputSchema } from '#lib/domain/mapping.ts';
import type { RouteDoc } from '#lib/http/api-doc.ts';
import { errors, jsonBodyDoc, pageOf, SCHOOL_ERRORS } from '#lib/http/api-doc.ts';
import { ListQuerySchema, MappingPathSchema, MappingPutAnswerSchema, MappingViewSchema, OfferMappingAnswerSchema, OffersOnlySchema, ProductMappingAnswerSchema } from './schema.ts';

const base = { tags: ['mappings'], auth: 'iam', params: MappingPathSchema } as const;
const preconditions = [
  { name: 'if-match', description: 'Write only if the stored version is one of these entity tags ("3"), or exists (*)' },
  { name: 'if-none-match', description: 'Write only if the stored version is none of these, or (*) nothing is stored' },
];
const etag = { etag: 'The version ("3")' };

function mappingRoutes(path: string, what: string, getAnswer: RouteDoc['responses'][number]): RouteDoc[] {
  return [
    {
      ...base,
      method: 'PUT',
      path,
      summary: `Create or replace ${what}; purchases that waited for it are applied`,
      headers: preconditions,
      body: jsonBodyDoc(MappingInputSchema),
      responses: {
        200: { description: 'Replaced', schema: MappingPutAnswerSchema, headers: etag },
        201: { description: 'Created', schema: MappingPutAnswerSchema, headers: { ...etag, location: 'The mapping' } },
        ...errors(...SCHOOL_ERRORS, 412, 413),
      },
    },
    { ...base, method: 'GET', path, summary: `Show ${what}`, responses: { 200: getAnswer, ...errors(...SCHOOL_ERRORS) } },
    { ...base, method: 'DELETE', path, summary: `Delete ${what}`, headers: preconditions, responses: { 204: { description: 'Deleted' }, ...errors(...SCHOOL_ERRORS, 412) } },
  ];
}

export const routes: RouteDoc[] = [
  ...mappingRoutes('/schools/{schoolId}/mappings/{productId}', "a product's mapping", {
    description: 'The mapping with its offer overrides (no ETag when the product has overrides only)',
    schema: ProductMappingAnswerSchema,
    headers: etag,
  }),
  ...mappingRoutes('/schools/{schoolId}/mappings/{productId}/offers/{offerCode}', "an offer's override of its product's mapping", {
    description: 'The override',
    schema: OfferMappingAnswerSchema,
    headers: etag,
  }),
  {
    tags: ['mappings'],
    auth: 'iam',
    method: 'GET',
    path: '/schools/{schoolId}/mappings',
    summary: "List the school's products' mappings",
    query: ListQuerySchema,
    responses: { 200: { description: 'A page of products', schema: pageOf(z.union([MappingViewSchema, OffersOnlySchema])) }, ...errors(...SCHOOL_ERRORS) },
  },
];
