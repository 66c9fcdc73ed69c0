/**
 * Logs and metrics (BENCHMARKS.md, "Logs and metrics"): today's logger + EMF lines against
 * Powertools Logger + Metrics, bundled as serverless.yml bundles (esbuild, minified ESM). Per build:
 * its size, a fresh process's import and first log + metrics line (the cold-start cost), and the
 * cost of one more log + metrics line, warm (stdout to /dev/null). Medians of RUNS fresh processes.
 * `node --import tsx bench/measure/observability.ts`
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, statSync } from 'node:fs';
import os from 'node:os';
import * as esbuild from 'esbuild';
import { median } from './stats.ts';
import { root } from './stack.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BUILDS = ['none', 'house', 'powertools'] as const;
const out = `${root}.bench/observability`;
mkdirSync(out, { recursive: true });

const files = Object.fromEntries(
  await Promise.all(
    BUILDS.map(async (name) => {
      const file = `${out}/${name}.mjs`;
      await esbuild.build({ entryPoints: [`${root}bench/observability/${name}.ts`], outfile: file, bundle: true, minify: true, target: 'node20', platform: 'node', format: 'esm', mainFields: ['module', 'main'], banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" }, logLevel: 'silent' });
      return [name, file] as const;
    }),
  ),
);

const devNull = openSync('/dev/null', 'w');
const samples = Object.fromEntries(BUILDS.map((b) => [b, { importMs: [] as number[], firstLineMs: [] as number[], perLineUs: [] as number[] }]));
for (let run = 0; run < RUNS; run++) {
  for (const name of BUILDS) {
    const child = spawnSync(process.execPath, [`${root}bench/observability/child.mjs`, files[name]!], { stdio: ['ignore', devNull, 'pipe'], encoding: 'utf8', env: { ...process.env, POWERTOOLS_DEV: '', AWS_LAMBDA_FUNCTION_NAME: 'bench' } });
    const result = JSON.parse(child.stderr);
    for (const key of ['importMs', 'firstLineMs', 'perLineUs'] as const) samples[name]![key].push(result[key]);
  }
}
const fmt = (n: number, d = 1) => n.toFixed(d);
const rows = BUILDS.map((name) => {
  const s = samples[name]!;
  return `| ${name} | ${fmt(statSync(files[name]!).size / 1024)} KB | ${fmt(median(s.importMs))} ms | ${fmt(median(s.firstLineMs))} ms | ${fmt(median(s.perLineUs), 2)} µs |`;
});
process.stdout.write(
  [
    `Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; medians of ${RUNS} fresh processes each.`,
    '',
    '| build | bundle | import | import + first log and metrics line | each further log + metrics line |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
