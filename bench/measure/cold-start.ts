/**
 * Cold starts: a fresh `node` process (bench/cold-start-child.mjs) imports a built bundle and
 * handles its first event against DynamoDB Local. Median of COLD_RUNS runs per bundle, interleaved.
 */
import { spawnSync } from 'node:child_process';
import type { Build, BundleFigures, BundleName } from './bundles.ts';
import { apiEvent, PRODUCT, purchase, root } from './stack.ts';
import type { BenchStack } from './stack.ts';
import { median } from './stats.ts';

export const COLD_RUNS = 15;
export const COLD_BUNDLES: BundleName[] = ['webhook', 'baseline', 'floor', 'peer'];

export type ColdStart = { importMs: number; firstEventMs: number };
export type ColdFigures = {
  runs: number;
  of(name: BundleName, build: Build): ColdStart;
};

export function measureColdStarts(bundles: BundleFigures, stack: BenchStack): ColdFigures {
  const measured = bundles.bundles.filter((b) => (COLD_BUNDLES.includes(b.name) && b.build !== 'secrets-manager-inside') || (b.name === 'webhook' && b.build === 'secrets-manager-inside'));
  const samples = new Map<string, { importMs: number[]; firstEventMs: number[] }>();
  for (let run = 0; run < COLD_RUNS; run++) {
    for (const b of measured) {
      const child = spawnSync(process.execPath, [`${root}bench/cold-start-child.mjs`, b.file], {
        env: {
          ...process.env,
          ...stack.env,
          BENCH_EVENT: JSON.stringify(apiEvent(purchase())),
          BENCH_WRITES: JSON.stringify(stack.sameWrites(purchase())),
          BENCH_MAPPING_PK: `PRODUCT#${PRODUCT}`,
        },
        encoding: 'utf8',
      });
      const key = `${b.name}.${b.build}`;
      if (!child.stdout) throw new Error(`${key} failed: ${child.stderr.split('\n').filter((l) => l.length < 300 && !/^\s+at /.test(l)).slice(-12).join('\n')}`);
      // The bundle's own log and metrics lines come first; the child's figures are the last line.
      const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
      if (result.statusCode !== 200) throw new Error(`${key} answered ${result.statusCode}: ${child.stderr}`);
      const s = samples.get(key) ?? { importMs: [], firstEventMs: [] };
      s.importMs.push(result.importMs);
      s.firstEventMs.push(result.firstEventMs);
      samples.set(key, s);
    }
  }
  const figures = new Map([...samples].map(([key, s]) => [key, { importMs: median(s.importMs), firstEventMs: median(s.firstEventMs) }]));
  return {
    runs: COLD_RUNS,
    of(name, build) {
      const found = figures.get(`${name}.${build}`);
      if (!found) throw new Error(`no cold start measured for ${name}.${build}`);
      return found;
    },
  };
}
