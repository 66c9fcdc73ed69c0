import type { RouteDoc } from '#lib/http/api-doc.ts';
import { errors, jsonBodyDoc } from '#lib/http/api-doc.ts';
import { CredentialsBodySchema, CredentialsViewSchema, SchoolPathSchema } from './schema.ts';

const base = { tags: ['schools'], auth: 'iam', params: SchoolPathSchema, path: '/schools/{schoolId}/hotmart-credentials' } as const;

export const routes: RouteDoc[] = [
  {
    ...base,
    method: 'PUT',
    summary: "Set the school's Hotmart API credentials (checked with Hotmart first, then stored sealed with KMS)",
    body: jsonBodyDoc(CredentialsBodySchema),
    responses: {
      200: { description: 'Checked and stored', schema: CredentialsViewSchema },
      ...errors(400, 404, 413, 422),
    },
  },
  { ...base, method: 'GET', summary: "The school's Hotmart credentials (never the secret)", responses: { 200: { description: 'Stored credentials', schema: CredentialsViewSchema }, ...errors(400, 404) } },
  { ...base, method: 'DELETE', summary: "Remove the school's Hotmart credentials", responses: { 204: { description: 'Removed' }, ...errors(400, 404) } },
];
