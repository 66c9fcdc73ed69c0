import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePort } from '../../scripts/local/dynamodb.ts';
import { SCHOOL, TOKEN, createTestStack, fixture, invoke, scanAllTables, bare } from '../helpers/stack.ts';

const { endpoint } = await createTestStack();
const approved = fixture('PURCHASE_APPROVED.json');
/** A fresh instance of the webhook module: it reads its configuration when imported. */
const loadWebhook = (instance: string) => import(`../../functions/webhook/handler.ts?instance=${instance}`);
const delivery = {
  method: 'POST',
  path: `/schools/${SCHOOL}/webhooks/hotmart`,
  routeKey: 'POST /schools/{schoolId}/webhooks/hotmart',
  pathParameters: { schoolId: SCHOOL },
  headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN }, body: approved };

describe('when DynamoDB is unreachable', () => {
  it('answers 503 within the Lambda timeout, stores nothing, and the redelivery after recovery applies once', async () => {
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${await freePort()}`;
    const down = await loadWebhook('down');
    const started = Date.now();
    const failed = await invoke(down.handler as never, delivery);
    const elapsed = Date.now() - started;
    assert.equal(failed.statusCode, 503);
    assert.equal(failed.body.error.code, 'STORAGE.UNAVAILABLE');
    assert.ok(!/at |\.ts|ECONNREFUSED/.test(failed.rawBody), `internal detail in ${failed.rawBody}`);
    assert.ok(elapsed < 5_500, `answered after ${elapsed} ms`);

    process.env.DYNAMODB_ENDPOINT = endpoint;
    assert.deepEqual(await scanAllTables(), []);
    const { createSchool } = await import('../helpers/schools.ts');
    await createSchool(SCHOOL);
    const { handler: mappings } = await import('../../functions/mappings/handler.ts');
    await invoke(mappings as never, {
      method: 'PUT', path: `/schools/${SCHOOL}/mappings/3412907`, routeKey: 'PUT /schools/{schoolId}/mappings/{productId}', pathParameters: { schoolId: SCHOOL, productId: '3412907' },
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ targets: [{ type: 'course', id: 'fotografia' }] }),
    });
    const up = await loadWebhook('up');
    assert.equal((await invoke(up.handler as never, delivery)).body.status, 'processed');
    assert.equal((await invoke(up.handler as never, delivery)).body.status, 'duplicate');
    const enrollments = (await scanAllTables()).filter((item) => bare(item.pk).startsWith('STUDENT#'));
    assert.equal(enrollments.length, 1);
  });

  it('answers 503 before the Lambda timeout when DynamoDB accepts connections but never answers', async (t) => {
    const sockets: Socket[] = [];
    const blackhole = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${(blackhole.address() as { port: number }).port}`;
    try {
      const hung = await loadWebhook('hung');
      const started = Date.now();
      const response = await invoke(hung.handler as never, { ...delivery, body: approved.replace('bd2fec05', 'aaaaaaaa') });
      const elapsed = Date.now() - started;
      assert.equal(response.statusCode, 503);
      // The SDK's own timeouts answer, well before middy's early-timeout net at 5.5 s.
      assert.ok(elapsed < 5_000, `answered after ${elapsed} ms`);
      t.diagnostic(`DynamoDB never answering: 503 after ${elapsed} ms`);
    } finally {
      process.env.DYNAMODB_ENDPOINT = endpoint;
      for (const socket of sockets) socket.destroy();
      blackhole.close();
    }
  });
});
