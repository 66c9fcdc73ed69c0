import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { declaredRoutes, documentedRoutes, generate, OPENAPI_FILE, routeCoverage } from '../../scripts/openapi.ts';
import { readServerlessYml } from '../../scripts/local/tables.ts';
import { answersValidated, checkAnswer, UndocumentedAnswer } from '../helpers/openapi-answers.ts';
import { createTestStack } from '../helpers/stack.ts';

/** The API description (docs/openapi.json, README "API description"): current, valid, complete, and what the routes answer. */
await createTestStack();
const committed = readFileSync(OPENAPI_FILE, 'utf8');
const document = JSON.parse(committed);

describe('the API description, docs/openapi.json', () => {
  it('is what `npm run openapi` generates from the routes’ zod schemas today', async () => {
    const generated = await generate();
    assert.ok(generated === committed, 'docs/openapi.json is out of date: run `npm run openapi` and commit docs/openapi.json');
  });

  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
    assert.equal(document.openapi, '3.1.0');
    const result = await new Validator().validate(structuredClone(document));
    assert.deepEqual(result.errors ?? [], []);
    assert.equal(result.valid, true);
  });

  it('describes exactly the routes serverless.yml declares: method and path', () => {
    const declared = declaredRoutes(readServerlessYml());
    assert.ok(declared.length >= 29, `serverless.yml declares ${declared.length} routes`);
    assert.deepEqual(routeCoverage(declared, documentedRoutes(document)), { undocumented: [], undeclared: [] });
  });

  it('fails the coverage check for a route serverless.yml declares and the document lacks, and for one it describes that is not declared', () => {
    const serverless = structuredClone(readServerlessYml());
    serverless.functions.recovery.events.push({ httpApi: { method: 'GET', path: '/schools/{schoolId}/undescribed', authorizer: { type: 'aws_iam' } } });
    const withExtra = declaredRoutes(serverless);
    assert.deepEqual(routeCoverage(withExtra, documentedRoutes(document)).undocumented, ['GET /schools/{schoolId}/undescribed']);
    delete serverless.functions.credentials;
    assert.deepEqual(routeCoverage(declaredRoutes(serverless), documentedRoutes(document)).undeclared, [
      'DELETE /schools/{schoolId}/hotmart-credentials',
      'GET /schools/{schoolId}/hotmart-credentials',
      'PUT /schools/{schoolId}/hotmart-credentials',
    ]);
  });

  it('signs the IAM routes with SigV4 and leaves the webhook to its token', () => {
    assert.equal(document.components.securitySchemes.sigv4['x-amazon-apigateway-authtype'], 'awsSigv4');
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, { security: unknown[]; parameters: { name: string }[] }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (path.endsWith('/webhooks/hotmart')) assert.deepEqual(operation.security, [], `${method} ${path}`);
        else assert.deepEqual(operation.security, [{ sigv4: [] }], `${method} ${path}`);
      }
    }
    assert.ok(document.paths['/schools/{schoolId}/webhooks/hotmart'].post.parameters.some((p: { name: string }) => p.name === 'x-hotmart-hottok'));
  });
});

describe("the integration tests' answers are checked against it", () => {
  it('validates an answer the route gives through the test helpers, and counts it', async () => {
    const { schoolsApi } = await import('../helpers/schools.ts');
    const before = answersValidated().get('PUT /schools/{schoolId} 201') ?? 0;
    assert.equal((await schoolsApi.put('openapi-school')).statusCode, 201);
    assert.equal((await schoolsApi.get('no-such-school')).statusCode, 404);
    assert.equal(answersValidated().get('PUT /schools/{schoolId} 201'), before + 1);
    assert.ok((answersValidated().get('GET /schools/{schoolId} 404') ?? 0) >= 1);
  });

  it('fails an answer the document does not describe: an unknown route, a status, a field, a body where none is described', () => {
    const json = { 'content-type': 'application/json; charset=utf-8' };
    const school = JSON.stringify({ schoolId: 'a1', name: 'A', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
    checkAnswer('PUT /schools/{schoolId}', 201, school, json);
    assert.throws(() => checkAnswer('GET /schools/{schoolId}/audit', 200, '{"items":[]}', json), UndocumentedAnswer);
    assert.throws(() => checkAnswer('PUT /schools/{schoolId}', 418, school, json), /answered 418, which docs\/openapi.json does not describe/);
    assert.throws(() => checkAnswer('PUT /schools/{schoolId}', 201, JSON.stringify({ ...JSON.parse(school), incarnation: 'x' }), json), /does not match/);
    assert.throws(() => checkAnswer('PUT /schools/{schoolId}', 201, JSON.stringify({ schoolId: 'a1' }), json), /does not match/);
    assert.throws(() => checkAnswer('PUT /schools/{schoolId}/hottok', 204, '{}', json), /describes no body/);
    assert.throws(() => checkAnswer('GET /schools', 400, JSON.stringify({ error: { code: 'MAPPING.NOT_FOUND', message: 'x' } }), json), /does not match/);
  });
});
