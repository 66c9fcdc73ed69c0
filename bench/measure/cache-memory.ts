/**
 * The webhook's per-container caches for many schools (bench/measure/cache-memory-child.ts runs in
 * a child process with --expose-gc, so the heap it reports is the caches' own).
 * `npm run bench -- --only caches` measures this section alone.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MAPPING_CACHE_MAX_ENTRIES } from '#lib/services/mapping-cache.ts';
import { SCHOOL_CACHE_MAX_ENTRIES } from '#lib/services/school-cache.ts';

export type CacheMemoryFigures = {
  schools: number;
  productsPerSchool: number;
  schoolCacheBytes: number;
  mappingCacheBytes: number;
  schoolCacheMaxEntries: number;
  mappingCacheMaxEntries: number;
};

export async function measureCacheMemory(schools = 5000, productsPerSchool = 4): Promise<CacheMemoryFigures> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('cache-memory-child.ts', import.meta.url))], {
    env: { ...process.env, BENCH_SCHOOLS: String(schools), BENCH_PRODUCTS_PER_SCHOOL: String(productsPerSchool) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the cache-memory child exited with ${code}`);
  return { ...(JSON.parse(out) as Omit<CacheMemoryFigures, 'schoolCacheMaxEntries' | 'mappingCacheMaxEntries'>), schoolCacheMaxEntries: SCHOOL_CACHE_MAX_ENTRIES, mappingCacheMaxEntries: MAPPING_CACHE_MAX_ENTRIES };
}
