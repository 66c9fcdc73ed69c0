import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { captureLogs, createTestStack, freshEvent, loadHandlers, TOKEN } from '../helpers/stack.ts';

await createTestStack();

type Api = Awaited<ReturnType<typeof loadHandlers>>;
const PRODUCT = 9_300_001;

/** The metrics of the EMF lines written while `run` runs. */
async function metricsOf(run: () => Promise<unknown>): Promise<{ names: string[]; lines: any[] }> {
  const lines = (await captureLogs(async () => void (await run()))).map((l) => JSON.parse(l)).filter((l) => l._aws);
  return { names: lines.flatMap((l) => l._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).filter((n: string) => n !== 'WebhookLatency'), lines };
}

describe('the webhook’s metrics (CloudWatch EMF), one line per request', () => {
  let api: Api;
  before(async () => {
    api = await loadHandlers('metrics-school');
    assert.equal((await api.putMapping(String(PRODUCT), { targets: [{ type: 'course', id: 'metrics' }] })).statusCode, 201);
  });
  const post = (body: unknown, headers?: Record<string, string>) => api.postWebhook(typeof body === 'string' ? body : JSON.stringify(body), headers);

  it('counts each outcome: processed, duplicate, unmapped, ignored, test, quarantined', async () => {
    const approved = freshEvent('PURCHASE_APPROVED', { transaction: 'HPMET1', email: 'met1@example.com', productId: PRODUCT });
    const cases: [string, () => Promise<unknown>][] = [
      ['DeliveryProcessed', () => post(approved)],
      ['DeliveryDuplicate', () => post(approved)],
      ['DeliveryUnmapped', () => post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPMET2', email: 'met2@example.com', productId: 9_300_999 }))],
      ['DeliveryIgnored', () => post({ id: 'met-ignored-1', event: 'PURCHASE_SOMETHING_NEW', version: '2.0.0', creation_date: Date.now(), data: { product: { id: PRODUCT } } })],
      ['DeliveryTest', () => post(freshEvent('PURCHASE_APPROVED', { transaction: 'HP16015479281022', email: 'testecomprador271101postman15@example.com', productId: 0 }))],
      ['DeliveryQuarantined', () => post({ id: 'q-metrics', event: 'PURCHASE_APPROVED', version: '2.0.0', data: {} })],
    ];
    for (const [metric, run] of cases) {
      const { names, lines } = await metricsOf(run);
      assert.deepEqual(names, [metric], metric);
      assert.equal(lines[0].schoolId, 'metrics-school');
      assert.equal(typeof lines[0].requestId, 'string');
      assert.equal(typeof lines[0].WebhookLatency, 'number');
      assert.deepEqual(lines[0]._aws.CloudWatchMetrics[0].Dimensions, [[]]);
    }
  });

  it('counts refusals by status: 401 wrong token, 415 media type, 413 too large', async () => {
    const body = JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPMET4', productId: PRODUCT }));
    assert.deepEqual((await metricsOf(() => post(body, { 'content-type': 'application/json', 'x-hotmart-hottok': `${TOKEN}-wrong` }))).names, ['DeliveryRefused401']);
    assert.deepEqual((await metricsOf(() => post(body, { 'content-type': 'text/plain', 'x-hotmart-hottok': TOKEN }))).names, ['DeliveryRefused415']);
    assert.deepEqual((await metricsOf(() => post('x'.repeat(300 * 1024), { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN }))).names, ['DeliveryRefused413']);
  });
});
