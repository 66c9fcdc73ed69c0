import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createTables, tableEnvVars } from '../../scripts/local/tables.ts';
import { recordAnswer } from './openapi-answers.ts';

export const TOKEN = 'test-hottok-0123456789abcdef';
export const PREVIOUS_TOKEN = 'test-hottok-previous-987654321';
/** The school loadHandlers() creates and serves, with TOKEN as its token and PREVIOUS_TOKEN as the previous one. */
export const SCHOOL = 'school-a';

/**
 * Fresh tables on the DynamoDB Local that scripts/test.ts started (DYNAMODB_ENDPOINT), and the
 * environment the functions read. Call before importing a handler: they read it at import.
 */
export async function createTestStack() {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run the integration tests with `npm test`');
  const tables = await createTables(endpoint, `t-${randomUUID().slice(0, 8)}`);
  Object.assign(process.env, tables, {
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'SILENT',
  });
  return { endpoint, tables };
}

export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
}

export function fixtureJson(name: string): Record<string, any> {
  return JSON.parse(fixture(`${name}.json`));
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export type ApiRequest = {
  method: string;
  path: string;
  routeKey?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  /** API Gateway's `requestContext.authorizer`, e.g. `{ iam: { userArn } }` for an IAM-signed request. */
  authorizer?: unknown;
};

export type ApiResponse = { statusCode: number; headers: Record<string, string>; body: any; rawBody: string };

/**
 * The Lambda timeout a test's invocations get: the deployed 6 s, unless a test that fires bursts
 * at DynamoDB Local takes the local stage's allowance (localBurstAllowance below).
 */
let LAMBDA_TIMEOUT_MS = 6000;

/**
 * DynamoDB Local on a busy 2-core machine queues a burst of concurrent transactions for far
 * longer than DynamoDB does; a test about contention, not latency, gets what `npm start` gives
 * the local stage (serverless.yml `functionTimeout.local`, scripts/start.ts): 30 s for the
 * function, 10 s per DynamoDB request. Call before createTestStack/loadHandlers.
 */
export function localBurstAllowance(): void {
  LAMBDA_TIMEOUT_MS = 30_000;
  process.env.DYNAMODB_REQUEST_TIMEOUT_MS = '10000';
}

export function lambdaContext(timeoutMs = 6000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: 'test',
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as unknown as Context;
}

/** Invokes a handler with the API Gateway HTTP API (payload 2.0) event a request would produce. */
export async function invoke(handler: Handler, request: ApiRequest): Promise<ApiResponse> {
  const query = request.query ?? {};
  const event = {
    version: '2.0',
    routeKey: request.routeKey ?? `${request.method} ${request.path}`,
    rawPath: request.path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: request.headers ?? {},
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}),
    requestContext: {
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      ...(request.authorizer ? { authorizer: request.authorizer } : {}),
    },
    ...(request.body !== undefined ? { body: request.body } : {}),
    isBase64Encoded: request.isBase64Encoded ?? false,
  } as unknown as APIGatewayProxyEventV2;
  const response = await handler(event, lambdaContext(LAMBDA_TIMEOUT_MS));
  const rawBody = response.body ?? '';
  let body: unknown = rawBody;
  try {
    body = rawBody ? JSON.parse(rawBody) : undefined;
  } catch {
    // not JSON: keep the text
  }
  const answer = { statusCode: response.statusCode ?? 200, headers: (response.headers ?? {}) as Record<string, string>, body, rawBody };
  // Every answer is one the API description describes (test/helpers/openapi-answers.ts), or the test fails.
  recordAnswer(event.routeKey, answer.statusCode, rawBody, answer.headers);
  return answer;
}

/** A route key of one school: 'GET /mappings' → 'GET /schools/{schoolId}/mappings'. */
export const inSchool = (routeKey: string) => routeKey.replace(' /', ' /schools/{schoolId}/');

/**
 * A request to one school's route (the route key as it was before schools: 'PUT /mappings/{productId}'),
 * for the school `schoolId`.
 */
export function schoolRoute(schoolId: string) {
  return (handler: unknown, routeKey: string, pathParameters: Record<string, string> = {}, extras: Parameters<typeof route>[3] = {}) =>
    route(handler, inSchool(routeKey), { schoolId, ...pathParameters }, extras);
}

/**
 * A request to one route, as API Gateway routes it: the route key ("PUT /mappings/{productId}")
 * with its parameters filled in gives the path and the path parameters.
 */
export function route(
  handler: unknown,
  routeKey: string,
  pathParameters: Record<string, string> = {},
  extras: Pick<ApiRequest, 'headers' | 'body' | 'query' | 'authorizer' | 'isBase64Encoded'> = {},
): Promise<ApiResponse> {
  const [method, template] = routeKey.split(' ') as [string, string];
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => pathParameters[name]!);
  return invoke(handler as Handler, {
    method,
    path,
    routeKey,
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    ...extras,
  });
}

/**
 * The API of one school (created, with TOKEN as its token and PREVIOUS_TOKEN still accepted, through
 * the real routes: test/helpers/schools.ts), as each route's handler serves it.
 */
export async function loadHandlers(schoolId = SCHOOL, tokens: { token?: string; previousToken?: string | null } = {}) {
  const { createSchool } = await import('./schools.ts');
  await createSchool(schoolId, tokens);
  const token = tokens.token ?? TOKEN;
  const [webhook, mappings, enrollments, recovery, manualEnrollments] = (
    await Promise.all([
      import('../../functions/webhook/handler.ts'),
      import('../../functions/mappings/handler.ts'),
      import('../../functions/enrollments/handler.ts'),
      import('../../functions/recovery/handler.ts'),
      import('../../functions/manual-enrollments/handler.ts'),
    ])
  ).map((module) => module.handler);
  const at = schoolRoute(schoolId);
  const asJson = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body));
  return {
    schoolId,
    postWebhook: (body: string, headers: Record<string, string> = { 'content-type': 'application/json', 'x-hotmart-hottok': token }) =>
      at(webhook, 'POST /webhooks/hotmart', {}, { headers, body }),
    getWebhook: () => at(webhook, 'GET /webhooks/hotmart'),
    putMapping: (productId: string, mapping: unknown, headers: Record<string, string> = {}) =>
      at(mappings, 'PUT /mappings/{productId}', { productId }, { headers: { 'content-type': 'application/json', ...headers }, body: asJson(mapping) }),
    getMapping: (productId: string) => at(mappings, 'GET /mappings/{productId}', { productId }),
    deleteMapping: (productId: string, headers: Record<string, string> = {}) => at(mappings, 'DELETE /mappings/{productId}', { productId }, { headers }),
    putOffer: (productId: string, offerCode: string, mapping: unknown) =>
      at(mappings, 'PUT /mappings/{productId}/offers/{offerCode}', { productId, offerCode }, { headers: { 'content-type': 'application/json' }, body: asJson(mapping) }),
    getOffer: (productId: string, offerCode: string) => at(mappings, 'GET /mappings/{productId}/offers/{offerCode}', { productId, offerCode }),
    deleteOffer: (productId: string, offerCode: string) => at(mappings, 'DELETE /mappings/{productId}/offers/{offerCode}', { productId, offerCode }),
    listMappings: (query: Record<string, string> = {}) => at(mappings, 'GET /mappings', {}, { query }),
    enrollments: (query: Record<string, string>) => at(enrollments, 'GET /enrollments', {}, { query }),
    event: (eventId: string) => at(enrollments, 'GET /events/{eventId}', { eventId }),
    quarantine: (query: Record<string, string> = {}) => at(recovery, 'GET /quarantine', {}, { query }),
    replayQuarantined: (id: string) => at(recovery, 'POST /quarantine/{id}/replay', { id }),
    replayEvent: (eventId: string) => at(recovery, 'POST /events/{eventId}/replay', { eventId }),
    eraseStudent: (email: string) => at(recovery, 'DELETE /students/{email}', { email: encodeURIComponent(email) }),
    /** A manual enrollment (`body` undefined: no body), as an IAM caller `authorizer` or locally. */
    grantManual: (email: string, targetType: string, targetId: string, body?: unknown, authorizer?: unknown) =>
      at(manualEnrollments, 'PUT /students/{email}/enrollments/{targetType}/{targetId}', { email: encodeURIComponent(email), targetType, targetId }, {
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: asJson(body) }),
        ...(authorizer ? { authorizer } : {}),
      }),
    revokeManual: (email: string, targetType: string, targetId: string) =>
      at(manualEnrollments, 'DELETE /students/{email}/enrollments/{targetType}/{targetId}', { email: encodeURIComponent(email), targetType, targetId }),
  };
}

/** Every item of every table of this test's stack (every table serverless.yml declares): what a delivery left behind. */
export async function scanAllTables(): Promise<Record<string, unknown>[]> {
  const { DynamoDBClient, ScanCommand } = await import('@aws-sdk/client-dynamodb');
  const { unmarshall } = await import('@aws-sdk/util-dynamodb');
  const client = new DynamoDBClient({
    endpoint: process.env.DYNAMODB_ENDPOINT!,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const items: Record<string, unknown>[] = [];
  const names = tableEnvVars().map((envVar) => process.env[envVar]);
  for (const table of names) {
    let startKey: Record<string, any> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: table!, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []).map((item) => ({ table, ...unmarshall(item) })));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  client.destroy();
  return items;
}

/**
 * A purchase-family fixture body with a fresh id, so one test's deliveries never collide with
 * another's. It is a one-time purchase (subscription fields removed) unless a subscriber code is given.
 */
export function freshEvent(
  name: string,
  overrides: { transaction?: string; email?: string; productId?: number; creationDate?: number; subscriberCode?: string; offerCode?: string } = {},
) {
  const body = fixtureJson(name);
  body.id = randomUUID();
  if (overrides.creationDate !== undefined) body.creation_date = overrides.creationDate;
  const purchase = body.data.purchase;
  if (overrides.transaction !== undefined) purchase.transaction = overrides.transaction;
  if (overrides.email !== undefined) body.data.buyer.email = overrides.email;
  if (overrides.productId !== undefined) body.data.product.id = overrides.productId;
  if (overrides.offerCode !== undefined) purchase.offer = { code: overrides.offerCode };
  if (overrides.subscriberCode !== undefined) {
    body.data.subscription = { status: 'ACTIVE', plan: { id: 845120, name: 'Plano Mensal' }, subscriber: { code: overrides.subscriberCode } };
  } else {
    delete body.data.subscription;
    delete purchase.recurrence_number;
    delete purchase.date_next_charge;
  }
  return body;
}

/**
 * Collects the service's JSON log lines written while `run` executes (and keeps them out of the
 * test runner's output); everything else passes through.
 */
export async function captureLogs(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.startsWith('{"level"')) {
        lines.push(...text.split('\n').filter(Boolean));
        return true;
      }
      return (originals[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  try {
    await run();
  } finally {
    streams.forEach((stream, i) => (stream.write = originals[i] as typeof stream.write));
  }
  return lines;
}

/** A stored key without its school's scope (`S#<schoolId>#<incarnation>#`): what the test wrote it for. */
export const bare = (key: unknown) => String(key).replace(/^S#[a-z0-9-]+#[0-9a-z]{10}#/, '');
