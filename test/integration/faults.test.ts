import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SchoolStores } from '#lib/adapters/dynamodb/index.ts';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { localDevelopmentPepperSource } from '#lib/adapters/secrets/pepper.ts';
import { loadConfig } from '#lib/config.ts';
import { webhookHandler } from '#lib/http/webhook.ts';
import { createLogger } from '#lib/logger.ts';
import { enrollmentsOfStudent } from '#lib/services/enrollments.ts';
import { freePort, startDynamoDbLocal } from '../../scripts/local/dynamodb.ts';
import { createTables } from '../../scripts/local/tables.ts';
import { TOKEN, createTestStack, freshEvent, invoke, scanAllTables, bare } from '../helpers/stack.ts';
import { createSchoolOn } from '../helpers/schools.ts';

const { endpoint } = await createTestStack();
const LAMBDA_TIMEOUT_MS = 6000;
const PRODUCT = 9_200_001;
const silent = createLogger('faults', 'SILENT');
const SCHOOL = 'faults';
const delivery = (body: unknown) => ({
  method: 'POST',
  path: `/schools/${SCHOOL}/webhooks/hotmart`,
  routeKey: 'POST /schools/{schoolId}/webhooks/hotmart',
  pathParameters: { schoolId: SCHOOL },
  headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN },
  body: JSON.stringify(body),
});
const timed = async (handler: unknown, body: unknown) => {
  const started = Date.now();
  const response = await invoke(handler as never, delivery(body));
  return { ...response, ms: Date.now() - started };
};

describe('DynamoDB stopped mid-run', () => {
  const dbPath = mkdtempSync(join(tmpdir(), 'ddb-'));
  after(() => rmSync(dbPath, { recursive: true, force: true }));

  it('answers 503 while it is down, and applies the redelivery once when it is back', async (t) => {
    const port = await freePort();
    let dynamodb = await startDynamoDbLocal({ port, dbPath });
    const tables = await createTables(dynamodb.endpoint, 'faults');
    const config = loadConfig({ ...process.env, ...tables, DYNAMODB_ENDPOINT: dynamodb.endpoint });
    const all = createDynamoDeps(config);
    const handler = webhookHandler(config, all, silent, { pepper: localDevelopmentPepperSource });
    const deps = await createSchoolOn(all, SCHOOL);
    await deps.mappingStore.put({ productId: String(PRODUCT) }, { targets: [{ type: 'course', id: 'faults' }] });
    try {
      assert.equal((await timed(handler, freshEvent('PURCHASE_APPROVED', { transaction: 'HPUP1', email: 'up@example.com', productId: PRODUCT }))).body.status, 'processed');

      await dynamodb.stop();
      const body = freshEvent('PURCHASE_APPROVED', { transaction: 'HPDOWN1', email: 'down@example.com', productId: PRODUCT });
      const down = await timed(handler, body);
      assert.equal(down.statusCode, 503);
      assert.equal(down.body.error.code, 'STORAGE.UNAVAILABLE');
      assert.ok(down.ms < LAMBDA_TIMEOUT_MS, `answered after ${down.ms} ms`);
      t.diagnostic(`DynamoDB stopped: 503 after ${down.ms} ms`);

      dynamodb = await startDynamoDbLocal({ port, dbPath });
      assert.equal((await timed(handler, body)).body.status, 'processed');
      assert.equal((await timed(handler, body)).body.status, 'duplicate');
      const [enrollment] = await enrollmentsOfStudent('down@example.com', deps);
      assert.deepEqual([enrollment?.hasAccess, enrollment?.transactions], [true, [{ transaction: 'HPDOWN1', status: 'APPROVED' }]]);
      // What was stored before the outage survived it.
      assert.equal((await enrollmentsOfStudent('up@example.com', deps))[0]?.hasAccess, true);
    } finally {
      await dynamodb.stop();
    }
  });
});

describe('faults injected into the SDK', () => {
  const config = loadConfig({ ...process.env, DYNAMODB_ENDPOINT: endpoint });
  const all = createDynamoDeps(config);
  let fault: 'none' | 'throttle' | 'lost-answer' = 'none';
  let injected = 0;
  // After the SDK's retry middleware: every attempt meets the fault, as in a long throttling spell.
  all.db.middlewareStack.addRelativeTo(
    (next: any) => async (args: any) => {
      if (fault === 'throttle') {
        injected++;
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          $retryable: { throttling: true },
        });
      }
      const result = await next(args);
      if (fault === 'lost-answer') {
        // The write reached DynamoDB; its answer did not reach us.
        injected++;
        throw Object.assign(new Error('socket timed out'), { name: 'TimeoutError', $metadata: {} });
      }
      return result;
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'faultInjection' },
  );
  const handler = webhookHandler(config, all, silent, { pepper: localDevelopmentPepperSource });
  let deps: SchoolStores;
  before(async () => {
    deps = await createSchoolOn(all, SCHOOL);
  });
  /** One delivery while the fault is on: it must answer 503 within the Lambda timeout. */
  const deliverDuring = async (kind: typeof fault, body: unknown) => {
    fault = kind;
    const answer = await timed(handler, body).finally(() => (fault = 'none'));
    assert.equal(answer.statusCode, 503);
    assert.ok(answer.ms < LAMBDA_TIMEOUT_MS, `answered after ${answer.ms} ms`);
    return answer;
  };
  const stored = async (id: string) => (await scanAllTables()).filter((item) => JSON.stringify(item).includes(id));

  it('answers 503 under throttling, stores nothing, and applies the redelivery once', async (t) => {
    await deps.mappingStore.put({ productId: String(PRODUCT) }, { targets: [{ type: 'course', id: 'faults' }] });
    const body = freshEvent('PURCHASE_APPROVED', { transaction: 'HPTHROTTLE', email: 'throttled@example.com', productId: PRODUCT });
    const throttled = await deliverDuring('throttle', body);
    assert.ok(injected >= 3, `the SDK retried (${injected} attempts)`);
    t.diagnostic(`throttled on every attempt: 503 after ${throttled.ms} ms and ${injected} attempts`);
    assert.deepEqual(await stored('HPTHROTTLE'), []);
    assert.equal((await timed(handler, body)).body.status, 'processed');
    assert.equal((await timed(handler, body)).body.status, 'duplicate');
    assert.deepEqual((await stored(body.id)).map((i) => bare(i.pk).split('#')[0]).sort(), ['EVENT', 'STUDENT', 'TX', 'TXEVENT']);
  });

  it('answers 503 when a committed write’s answer is lost, and the redelivery has no second effect', async (t) => {
    const body = freshEvent('PURCHASE_APPROVED', { transaction: 'HPLOST', email: 'lost@example.com', productId: PRODUCT });
    const lost = await deliverDuring('lost-answer', body);
    t.diagnostic(`answer lost after commit: 503 after ${lost.ms} ms`);
    // Committed whole, not in part: event, business key, transaction and enrollment.
    const items = await stored('HPLOST');
    assert.deepEqual(items.map((i) => bare(i.pk).split('#')[0]).sort(), ['EVENT', 'STUDENT', 'TX', 'TXEVENT']);
    assert.equal((await timed(handler, body)).body.status, 'duplicate');
    const [enrollment] = await enrollmentsOfStudent('lost@example.com', deps);
    assert.deepEqual(enrollment?.transactions, [{ transaction: 'HPLOST', status: 'APPROVED' }]);
  });
});

describe('DynamoDB Local, as the tests and npm start launch it', () => {
  it('refuses a port something else already answers on, rather than handing out that endpoint', async () => {
    const { createServer } = await import('node:net');
    const port = await freePort();
    const impostor = createServer((socket) => socket.on('error', () => {}).end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}')).listen(port, '127.0.0.1');
    await new Promise((resolve) => impostor.once('listening', resolve));
    try {
      await assert.rejects(startDynamoDbLocal({ port }), /port \d+ is already in use/);
    } finally {
      impostor.close();
    }
  });
});
