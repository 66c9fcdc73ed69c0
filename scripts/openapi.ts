/**
 * The API description: an OpenAPI 3.1 document of every HTTP route, generated from the zod
 * schemas the routes validate with and answer by (each function's functions/<fn>/openapi.ts).
 * `npm run openapi` writes docs/openapi.json; test/integration/openapi.test.ts checks it is up to
 * date, valid, covers exactly serverless.yml's routes, and that the tests' answers match it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod';
import type { ResponseDoc, RouteDoc } from '#lib/http/api-doc.ts';
import { errors } from '#lib/http/api-doc.ts';
import { SchoolIdSchema } from '#lib/domain/school.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
export const OPENAPI_FILE = join(root, 'docs/openapi.json');
const METHOD_ORDER = ['get', 'put', 'post', 'delete'];

type Json = Record<string, any>;

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without its `$schema`. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as Json;
  return rest;
}

/** Every route each function describes, from functions/<fn>/openapi.ts: a new function adds one file. */
export async function collectRoutes(): Promise<RouteDoc[]> {
  const functions = readdirSync(join(root, 'functions'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, 'functions', entry.name, 'openapi.ts')))
    .map((entry) => entry.name)
    .sort();
  const routes: RouteDoc[] = [];
  for (const name of functions) routes.push(...((await import(pathToFileURL(join(root, 'functions', name, 'openapi.ts')).href)) as { routes: RouteDoc[] }).routes);
  return routes;
}

/** An object schema's fields, or those of each alternative of a union of objects (then none is required). */
function fieldsOf(schema: Json): { properties: Json; required: string[] } {
  if (schema.properties) return { properties: schema.properties, required: schema.required ?? [] };
  const alternatives: Json[] = schema.anyOf ?? schema.oneOf ?? [];
  return { properties: Object.assign({}, ...alternatives.map((alternative) => fieldsOf(alternative).properties)), required: [] };
}

function parametersOf(route: RouteDoc): Json[] {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const given = route.params ? fieldsOf(jsonSchema(route.params, 'input')).properties : {};
  const path = names.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: name === 'schoolId' ? jsonSchema(SchoolIdSchema, 'input') : (given[name] ?? { type: 'string' }),
  }));
  const query = route.query ? fieldsOf(jsonSchema(route.query, 'input')) : { properties: {}, required: [] };
  const queryParameters = Object.entries(query.properties).map(([name, schema]) => ({ name, in: 'query', required: query.required.includes(name), schema }));
  const headers = (route.headers ?? []).map((header) => ({ name: header.name, in: 'header', required: header.required ?? false, description: header.description, schema: { type: 'string' } }));
  return [...path, ...queryParameters, ...headers];
}

function responseOf(response: ResponseDoc): Json {
  return {
    description: response.description,
    ...(response.headers ? { headers: Object.fromEntries(Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) } : {}),
    ...(response.schema ? { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } } : {}),
  };
}

const operationId = (route: RouteDoc) =>
  route.method.toLowerCase() +
  route.path
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/[{}]/g, '').replace(/(^|-)(\w)/g, (_, _dash, letter: string) => letter.toUpperCase()))
    .join('');

function operationOf(route: RouteDoc): Json {
  const body = route.body;
  const responses = { ...errors(500, 503), ...route.responses };
  return {
    operationId: operationId(route),
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: route.tags,
    security: route.auth === 'iam' ? [{ sigv4: [] }] : [],
    ...(route.auth === 'iam' ? { 'x-amazon-apigateway-auth': { type: 'AWS_IAM' } } : {}),
    parameters: parametersOf(route),
    ...(body
      ? {
          requestBody: {
            required: body.required,
            ...(body.description ? { description: body.description } : {}),
            content: Object.fromEntries(Object.entries(body.mediaTypes ?? { 'application/json': body.schema }).map(([type, schema]) => [type, { schema: jsonSchema(schema, 'input') }])),
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(responses)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([status, response]) => [status, responseOf(response)]),
    ),
  };
}

/** The OpenAPI 3.1 document of these routes. */
export function openApiDocument(routes: RouteDoc[]): Json {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; description: string };
  const paths: Json = {};
  const seen = new Set<string>();
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path) || METHOD_ORDER.indexOf(a.method.toLowerCase()) - METHOD_ORDER.indexOf(b.method.toLowerCase()))) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new Error(`${key} is described twice`);
    seen.add(key);
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: pkg.name,
      version: pkg.version,
      description: `${pkg.description} Generated by \`npm run openapi\` (scripts/openapi.ts) from the routes' zod schemas: do not edit by hand.`,
    },
    servers: [
      { url: 'https://{apiId}.execute-api.{region}.amazonaws.com', description: "A deployed stage's HTTP API (the stack's HttpApiUrl output)", variables: { apiId: { default: 'abcdef1234' }, region: { default: 'us-east-1' } } },
      { url: 'http://127.0.0.1:3000', description: '`npm start` (serverless-offline: no IAM authoriser)' },
    ],
    components: {
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: "AWS Signature Version 4 (API Gateway's aws_iam authoriser): sign every request for the service `execute-api` with credentials allowed `execute-api:Invoke` on the route's ARN.",
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
    paths,
  };
}

/** The document as committed: stable JSON with a final newline. */
export const serialise = (document: Json) => `${JSON.stringify(document, null, 2)}\n`;

/** `METHOD /path` of every httpApi event of every function of a parsed serverless.yml. */
export function declaredRoutes(serverless: Json): string[] {
  return Object.values((serverless.functions ?? {}) as Record<string, { events?: Json[] }>)
    .flatMap((fn) => fn.events ?? [])
    .filter((event) => event.httpApi)
    .map((event) => `${String(event.httpApi.method).toUpperCase()} ${event.httpApi.path}`)
    .sort();
}

/** `METHOD /path` of every operation of a document. */
export function documentedRoutes(document: Json): string[] {
  return Object.entries(document.paths as Record<string, Json>)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** Routes serverless.yml declares that the document lacks, and routes the document has that serverless.yml does not declare. */
export function routeCoverage(declared: string[], documented: string[]) {
  return { undocumented: declared.filter((route) => !documented.includes(route)), undeclared: documented.filter((route) => !declared.includes(route)) };
}

export async function generate(): Promise<string> {
  return serialise(openApiDocument(await collectRoutes()));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OPENAPI_FILE, await generate());
  console.log(`wrote ${OPENAPI_FILE}`);
}
