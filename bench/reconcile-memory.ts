/**
 * BENCHMARKS.md §8: the reconciliation runner's peak memory over a 100,000-sale window. The fake
 * Hotmart API runs here; the runner runs in a child process (bench/reconcile-memory-child.ts) so
 * that its peak RSS is its own. `node --import tsx bench/reconcile-memory.ts` prints the section
 * alone; `npm run bench` includes it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeHotmartApi } from '../scripts/fake-hotmart-api.ts';

export const SALES = 100_000;
const PAGE_SIZE = 5_000;
const PRODUCT = 3412911;
const HOUR = 3_600_000;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const HEAP_LIMIT_MB = 48;

export type MemoryResult = { lines: string[]; target: string };
type ChildResult = { elapsedMs: number; baselineRss: number; baselineHeap: number; peakRss: number; peakLive: number; checked: number; errors: unknown[] };

async function child(env: NodeJS.ProcessEnv, mode: 'run' | 'hold', heapLimitMb?: number): Promise<ChildResult> {
  const flags = ['--expose-gc', ...(heapLimitMb ? [`--max-old-space-size=${heapLimitMb}`] : []), '--import', 'tsx'];
  const process_ = spawn(process.execPath, [...flags, fileURLToPath(new URL('reconcile-memory-child.ts', import.meta.url))], {
    env: { ...env, BENCH_MODE: mode },
    stdio: ['ignore', 'pipe', heapLimitMb ? 'ignore' : 'inherit'],
  });
  let out = '';
  process_.stdout.on('data', (chunk) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => process_.once('exit', resolve));
  if (code !== 0) throw new Error(`the ${mode} child exited with ${code}`);
  return JSON.parse(out) as ChildResult;
}

export async function reconcileMemory(): Promise<MemoryResult> {
  const credentials = { clientId: 'bench-client-id', clientSecret: 'bench-client-secret' };
  const fake = await startFakeHotmartApi({ ...credentials, pageSize: PAGE_SIZE });
  try {
    const to = Date.now();
    const from = to - 72 * HOUR;
    for (let i = 0; i < SALES; i++) {
      const at = from + Math.floor(((i + 0.5) * (to - from)) / SALES);
      fake.sales.push({
        product: { id: PRODUCT, name: 'Curso de Fotografia' },
        buyer: { name: `Comprador ${i}`, email: `buyer.${i}@bench.example.com` },
        purchase: { transaction: `HPBENCH${String(i).padStart(8, '0')}`, order_date: at, approved_date: at, status: 'APPROVED', offer: { code: 'k2x9p1' } },
      });
    }
    const answerBytes = Buffer.byteLength(JSON.stringify(fake.sales));
    const env = {
      ...process.env,
      BENCH_PRODUCT: String(PRODUCT),
      BENCH_CLIENT_ID: credentials.clientId,
      BENCH_CLIENT_SECRET: credentials.clientSecret,
      BENCH_BASIC: fake.basic,
      BENCH_TOKEN_URL: fake.tokenUrl,
      BENCH_API_URL: fake.apiUrl,
      BENCH_PAGE_SIZE: String(PAGE_SIZE),
      BENCH_FROM: String(from),
      BENCH_TO: String(to),
    };
    const requestsBefore = fake.stats.apiRequests;
    const run = await child(env, 'run');
    const requests = fake.stats.apiRequests - requestsBefore;
    if (run.checked !== SALES || run.errors.length) throw new Error(`the run did not read the window: ${JSON.stringify(run)}`);
    // The run again under a heap limit far below what the window takes when held: it must finish.
    const limited = await child(env, 'run', HEAP_LIMIT_MB).then(
      (r) => r.checked === SALES && r.errors.length === 0,
      () => false,
    );
    const hold = await child(env, 'hold');
    const growth = (r: ChildResult) => r.peakLive - r.baselineHeap;
    const holds = limited && growth(run) * 4 < growth(hold);
    const row = (name: string, r: ChildResult) =>
      `| ${name} | ${mb(r.baselineHeap)} → ${mb(r.peakLive)} (+${mb(growth(r))}) | ${mb(r.baselineRss)} → ${mb(r.peakRss)} | ${(r.elapsedMs / 1000).toFixed(1)} s |`;
    return {
      target: `| reconciling a ${SALES.toLocaleString('en')}-sale window holds one page, not the window: live heap growth < ¼ of holding it, and the run finishes with ${HEAP_LIMIT_MB} MB of old space | +${mb(growth(run))} vs +${mb(growth(hold))}; ${limited ? 'finished' : 'did not finish'} under ${HEAP_LIMIT_MB} MB | ${holds ? 'holds' : '**misses**'} |`,
      lines: [
        '## 8. Reconciliation memory',
        '',
        `One run (lib/services/reconcile.ts with the real API client) over a 72-hour window of ${SALES.toLocaleString('en')} approved sales (${mb(answerBytes)} as JSON) served by the fake Hotmart API in pages of ${PAGE_SIZE.toLocaleString('en')} ` +
          `(${requests} API requests: 20 pages of approved sales, one empty page per other status, and the subscription reads), each measurement in a child process of its own (bench/reconcile-memory-child.ts). ` +
          'The store is a stand-in that finds every sale already known — what a run finds when the webhooks arrived — so DynamoDB Local does not set the pace; the reading, parsing and planning are the service\'s own. ' +
          '"Holding the window" reads the same sales with the same client into one array, as the client did before it handed out pages as they came.',
        '',
        '| Process | live heap: before → peak | RSS: before → peak (maxRSS) | duration |',
        '|---|---|---|---|',
        row('reconciliation run', run),
        row('holding the window (for comparison)', hold),
        '',
        `Live heap is sampled after a full collection every 50 ms; RSS includes tsx and the loaded modules. The run also ${limited ? 'finishes' : '**does not finish**'} with \`--max-old-space-size=${HEAP_LIMIT_MB}\`. ` +
          'The client asks for the next page only when the run has applied the last item of this one; a page is at most 5 MB (larger answers are refused) and a read at most 1,000 pages, so a run holds at most one 5 MB answer and its parse.',
        '',
      ],
    };
  } finally {
    await fake.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { lines, target } = await reconcileMemory();
  console.log([target, '', ...lines].join('\n'));
}
