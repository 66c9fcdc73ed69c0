import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Every answer the integration tests get through test/helpers/stack.ts (invoke, route,
 * schoolRoute, loadHandlers …) is checked against the committed API description,
 * docs/openapi.json: the route must be in it, the status described for the route, and the body
 * valid by the response's schema (an empty body where it describes none). An answer it does not
 * describe throws, failing the test that produced it.
 *
 * Counts go to $OPENAPI_ANSWERS_FILE (scripts/test.ts sets it and prints the tally of the run).
 */
const DOCUMENT = join(import.meta.dirname, '../../docs/openapi.json');

type Operation = { responses: Record<string, { content?: Record<string, { schema: object }> }> };
let operations: Map<string, Operation> | undefined;
const validators = new Map<string, ValidateFunction>();
const counts = new Map<string, number>();
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
addFormats.default(ajv);

function operationsOf(): Map<string, Operation> {
  if (operations) return operations;
  const document = JSON.parse(readFileSync(DOCUMENT, 'utf8')) as { paths: Record<string, Record<string, Operation>> };
  operations = new Map(Object.entries(document.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, operation]): [string, Operation] => [`${method.toUpperCase()} ${path}`, operation])));
  return operations;
}

export class UndocumentedAnswer extends Error {
  override name = 'UndocumentedAnswer';
}

/** Throws UndocumentedAnswer unless docs/openapi.json describes this answer of this route. */
export function checkAnswer(routeKey: string, statusCode: number, rawBody: string, headers: Record<string, string>): void {
  const operation = operationsOf().get(routeKey);
  if (!operation) throw new UndocumentedAnswer(`${routeKey} is not in docs/openapi.json (describe it in functions/<fn>/openapi.ts, then npm run openapi)`);
  const response = operation.responses[String(statusCode)];
  if (!response) throw new UndocumentedAnswer(`${routeKey} answered ${statusCode}, which docs/openapi.json does not describe for it: ${rawBody.slice(0, 300)}`);
  const schema = response.content?.['application/json']?.schema;
  if (!schema) {
    if (rawBody !== '') throw new UndocumentedAnswer(`${routeKey} ${statusCode}: docs/openapi.json describes no body, the answer has one: ${rawBody.slice(0, 300)}`);
  } else {
    if (!/^application\/json\b/.test(headers['content-type'] ?? '')) throw new UndocumentedAnswer(`${routeKey} ${statusCode}: content-type ${headers['content-type']}, not application/json`);
    const key = `${routeKey} ${statusCode}`;
    let validate = validators.get(key);
    if (!validate) validators.set(key, (validate = ajv.compile(schema)));
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new UndocumentedAnswer(`${routeKey} ${statusCode}: the body is not JSON: ${rawBody.slice(0, 300)}`);
    }
    if (!validate(body)) {
      throw new UndocumentedAnswer(`${routeKey} ${statusCode}: the body does not match docs/openapi.json: ${ajv.errorsText(validate.errors)}\n${rawBody.slice(0, 500)}`);
    }
  }
}

/** checkAnswer, counted: what test/helpers/stack.ts calls for every answer a test gets. */
export function recordAnswer(routeKey: string, statusCode: number, rawBody: string, headers: Record<string, string>): void {
  checkAnswer(routeKey, statusCode, rawBody, headers);
  const counted = `${routeKey} ${statusCode}`;
  counts.set(counted, (counts.get(counted) ?? 0) + 1);
}

/** The answers validated so far in this process, by "METHOD /path status". */
export const answersValidated = (): ReadonlyMap<string, number> => counts;

process.once('exit', () => {
  const file = process.env.OPENAPI_ANSWERS_FILE;
  if (file && counts.size > 0) appendFileSync(file, `${JSON.stringify(Object.fromEntries(counts))}\n`);
});
