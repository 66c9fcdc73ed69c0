/**
 * One reconciliation run over the window the parent's fake Hotmart API serves, in a fresh process
 * so its memory is its own: the real client and reconcileWindow, with a stand-in store that finds
 * every sale already known (the common case: the webhooks arrived) so that DynamoDB Local's speed
 * does not set the pace. Prints the measurements as JSON.
 */
import { createHotmartApi } from '#lib/adapters/hotmart/api-client.ts';
import { DEFAULT_POLICY } from '#lib/domain/mapping.ts';
import type { Mapping } from '#lib/domain/mapping.ts';
import type { ApplyDeps } from '#lib/services/apply-event.ts';
import { reconcileWindow } from '#lib/services/reconcile.ts';

const env = (name: string) => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();
const product = env('BENCH_PRODUCT');
const mapping: Mapping = { productId: product, targets: [{ type: 'course', id: 'bench' }], policy: DEFAULT_POLICY, version: 1, createdAt: 0, updatedAt: 0 };
const deps: ApplyDeps = {
  events: {
    commit: async () => ({ committed: false, conflict: 'duplicate' }),
    recordDuplicate: async () => undefined,
    countRepeat: async () => undefined,
    get: async () => undefined,
    getSubscription: async () => null,
    listParked: async () => ({ items: [], next: null }),
    countParked: async () => 0,
  },
  mappings: { get: async () => ({ product: mapping, offers: [] }), remember: () => ({ product: mapping, offers: [] }) },
};
const client = createHotmartApi({
  credentials: { clientId: env('BENCH_CLIENT_ID'), clientSecret: env('BENCH_CLIENT_SECRET'), basic: env('BENCH_BASIC') },
  tokenUrl: env('BENCH_TOKEN_URL'),
  apiUrl: env('BENCH_API_URL'),
  pageSize: Number(env('BENCH_PAGE_SIZE')),
});

// Live heap: what is still reachable, sampled after a full collection every 50 ms.
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
gc();
const baseline = process.memoryUsage();
let peakLive = baseline.heapUsed;
const sample = () => {
  gc();
  peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
};
const sampler = setInterval(sample, 50);
const window = { from: Number(env('BENCH_FROM')), to: Number(env('BENCH_TO')) };
const began = performance.now();
let checked: number;
let errors: unknown[] = [];
if (process.env.BENCH_MODE === 'hold') {
  // For comparison: the same read with every item of the window held, as the client used to.
  const held: unknown[] = [];
  for await (const item of client.salesHistory({ ...window, status: 'APPROVED' })) held.push(item);
  sample();
  checked = held.length;
} else {
  const report = await reconcileWindow(window, client, deps);
  checked = report.checked.sales;
  errors = report.errors;
}
const elapsedMs = performance.now() - began;
sample();
clearInterval(sampler);
process.stdout.write(
  JSON.stringify({ elapsedMs, baselineRss: baseline.rss, baselineHeap: baseline.heapUsed, peakRss: process.resourceUsage().maxRSS * 1024, peakLive, checked, errors }),
);
