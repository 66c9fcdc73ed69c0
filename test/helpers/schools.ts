import type { DynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { createReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import { localDevelopmentPepperSource } from '#lib/adapters/secrets/pepper.ts';
import { putSchool, setSchoolToken } from '#lib/services/schools.ts';
import { loadConfig } from '#lib/config.ts';
import { scopeOf } from '#lib/domain/school.ts';
import { PREVIOUS_TOKEN, route, TOKEN } from './stack.ts';

let deps: ReturnType<typeof createReconciliationDeps> | undefined;
/** The real stores over this test's tables (one client per test file). */
export const realDeps = () => (deps ??= createReconciliationDeps(loadConfig()));

const credentialsHandler = async () => (await import('../../functions/credentials/handler.ts')).handler;
const schoolsHandler = async () => (await import('../../functions/schools/handler.ts')).handler;
const body = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

/** The schools function's routes, as API Gateway invokes them. */
export const schoolsApi = {
  put: async (schoolId: string, value: unknown = { name: `School ${schoolId}` }) => route(await schoolsHandler(), 'PUT /schools/{schoolId}', { schoolId }, body(value)),
  get: async (schoolId: string) => route(await schoolsHandler(), 'GET /schools/{schoolId}', { schoolId }),
  list: async (query: Record<string, string> = {}) => route(await schoolsHandler(), 'GET /schools', {}, { query }),
  delete: async (schoolId: string) => route(await schoolsHandler(), 'DELETE /schools/{schoolId}', { schoolId }),
  putToken: async (schoolId: string, token: string) => route(await schoolsHandler(), 'PUT /schools/{schoolId}/hottok', { schoolId }, body({ token })),
  dropPrevious: async (schoolId: string) => route(await schoolsHandler(), 'DELETE /schools/{schoolId}/hottok/previous', { schoolId }),
};

/**
 * Creates (or renames) a school through the real routes, with `token` as its token (null: none)
 * and `previousToken` still accepted, and returns its scope and its stores (the real ones).
 */
export async function createSchool(schoolId: string, options: { name?: string; token?: string | null; previousToken?: string | null } = {}) {
  const put = await schoolsApi.put(schoolId, { name: options.name ?? `School ${schoolId}` });
  if (put.statusCode !== 201 && put.statusCode !== 200) throw new Error(`PUT /schools/${schoolId} answered ${put.statusCode}: ${put.rawBody}`);
  const previous = options.previousToken === undefined ? PREVIOUS_TOKEN : options.previousToken;
  const token = options.token === undefined ? TOKEN : options.token;
  for (const value of [previous, token]) if (value !== null) await schoolsApi.putToken(schoolId, value);
  const school = (await realDeps().schools.get(schoolId))!;
  const scope = scopeOf(school);
  return { schoolId, school, scope, stores: realDeps().storesFor(scope) };
}

/** The real stores of an existing school (as its routes act through them). */
export async function storesOf(schoolId: string) {
  const school = await realDeps().schools.get(schoolId);
  if (!school || school.state !== 'active') throw new Error(`no school ${schoolId}`);
  return realDeps().storesFor(scopeOf(school));
}

/**
 * A school created through the real service code on the given stores (another DynamoDB than the
 * test stack's, say), with `token` as its token; its stores.
 */
export async function createSchoolOn(deps: Pick<DynamoDeps, 'schools' | 'storesFor'>, schoolId: string, token = TOKEN) {
  const { school } = await putSchool(schoolId, `School ${schoolId}`, deps);
  await setSchoolToken(schoolId, token, { schools: deps.schools, pepper: localDevelopmentPepperSource });
  return deps.storesFor(scopeOf(school));
}

/**
 * Stores a school's HotConnect credentials through the credentials route (checked with the
 * Hotmart token endpoint of HOTMART_TOKEN_URL, then sealed for that school); throws unless 200.
 */
export async function connectHotmart(schoolId: string, credentials: { clientId: string; clientSecret: string; basic?: string; sandbox?: boolean }) {
  const answer = await route(await credentialsHandler(), 'PUT /schools/{schoolId}/hotmart-credentials', { schoolId }, body(credentials));
  if (answer.statusCode !== 200) throw new Error(`PUT /schools/${schoolId}/hotmart-credentials answered ${answer.statusCode}: ${answer.rawBody}`);
  return answer.body;
}

/** Deletes a school through the real route (202). */
export async function deleteSchool(schoolId: string) {
  const answer = await schoolsApi.delete(schoolId);
  if (answer.statusCode !== 202) throw new Error(`DELETE /schools/${schoolId} answered ${answer.statusCode}: ${answer.rawBody}`);
}
