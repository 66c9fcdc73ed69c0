/**
 * The reconciliation runner's peak memory over a 100,000-sale window. The fake Hotmart API runs
 * here; the runner runs in a child process (bench/measure/memory-child.ts) so that its peak RSS is
 * its own. `npm run bench -- --only memory` measures this section alone.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeHotmartApi } from '../../scripts/fake-hotmart-api.ts';

export const SALES = 100_000;
const PAGE_SIZE = 5_000;
const PRODUCT = 3412911;
const HOUR = 3_600_000;
const WINDOW_HOURS = 72;
export const HEAP_LIMIT_MB = 48;

export type ChildResult = { elapsedMs: number; baselineRss: number; baselineHeap: number; peakRss: number; peakLive: number; checked: number; errors: unknown[] };

async function child(env: NodeJS.ProcessEnv, mode: 'run' | 'hold', heapLimitMb?: number): Promise<ChildResult> {
  const flags = ['--expose-gc', ...(heapLimitMb ? [`--max-old-space-size=${heapLimitMb}`] : []), '--import', 'tsx'];
  const process_ = spawn(process.execPath, [...flags, fileURLToPath(new URL('memory-child.ts', import.meta.url))], {
    env: { ...env, BENCH_MODE: mode },
    stdio: ['ignore', 'pipe', heapLimitMb ? 'ignore' : 'inherit'],
  });
  let out = '';
  process_.stdout.on('data', (chunk) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => process_.once('exit', resolve));
  if (code !== 0) throw new Error(`the ${mode} child exited with ${code}`);
  return JSON.parse(out) as ChildResult;
}

export type MemoryFigures = {
  sales: number;
  windowHours: number;
  pageSize: number;
  /** The whole window's sales as JSON. */
  answerBytes: number;
  /** Hotmart API requests the run made. */
  requests: number;
  heapLimitMb: number;
  /** The run finished with --max-old-space-size=heapLimitMb. */
  finishedUnderLimit: boolean;
  run: ChildResult;
  /** The same read with every sale held, for comparison. */
  hold: ChildResult;
};

export async function measureMemory(): Promise<MemoryFigures> {
  const credentials = { clientId: 'bench-client-id', clientSecret: 'bench-client-secret' };
  const fake = await startFakeHotmartApi({ ...credentials, pageSize: PAGE_SIZE });
  try {
    const to = Date.now();
    const from = to - WINDOW_HOURS * HOUR;
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
    return { sales: SALES, windowHours: WINDOW_HOURS, pageSize: PAGE_SIZE, answerBytes, requests, heapLimitMb: HEAP_LIMIT_MB, finishedUnderLimit: limited, run, hold };
  } finally {
    await fake.close();
  }
}
