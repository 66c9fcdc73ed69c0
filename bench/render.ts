import { existsSync, readFileSync } from 'node:fs';
/**
 * Turns one run's figures into BENCHMARKS.md: every number in it comes from the figures, and every
 * target is checked here. Sections are numbered in the order they appear.
 */
import type { Figures, Section, Target } from './render/format.ts';
import { kb, ms, ratio, verdict } from './render/format.ts';
import { schoolsSection, schoolsTarget } from './render/schools.ts';
import { costSection, costTotal, memorySection, memoryTarget, throughputSection } from './render/operations.ts';
import { erasureSection } from './render/erasure.ts';
import { feedSection, feedTarget } from './render/feed.ts';
import { bundlesSection, COLD_RATIO_TARGET, coldStartSection, latencySection, roundTripsSection } from './render/performance.ts';

export type { Figures } from './render/format.ts';

/** The deployed webhook bundle's budget: what every cold start of the service parses. */
export const WEBHOOK_BUNDLE_BUDGET_BYTES = 512 * 1024;
export const LATENCY_RATIO_TARGET = 1.2;

function targets(f: Figures, ref: (title: string) => string): Target[] {
  const out: Target[] = [];
  const { bundles: b, cold: c, trips: t, latency: l } = f;
  if (b) {
    const webhook = b.of('webhook', 'deployed');
    out.push({ target: `deployed webhook bundle (serverless.yml's build, SDK inside) ≤ ${kb(WEBHOOK_BUNDLE_BUDGET_BYTES)}`, measured: kb(webhook.bytes), holds: webhook.bytes <= WEBHOOK_BUNDLE_BUDGET_BYTES });
    const ours = b.bundles.filter((x) => ['webhook', 'mappings', 'enrollments'].includes(x.name));
    const locales = [...new Set(ours.flatMap((x) => x.zodLocales))];
    out.push({ target: 'no zod locale files in any bundle', measured: `${locales.join(', ') || 'none'} in ours (see ${ref('Bundles')})`, holds: locales.length === 0 });
  }
  if (c) {
    const webhook = c.of('webhook', 'deployed').firstEventMs;
    out.push({
      target: `cold start / baseline ≤ ${COLD_RATIO_TARGET} (deployed build)`,
      measured: `${ratio(webhook, c.of('baseline', 'deployed').firstEventMs)} (against the same requests issued bare: ${ratio(webhook, c.of('floor', 'deployed').firstEventMs)})`,
      holds: webhook / c.of('baseline', 'deployed').firstEventMs <= COLD_RATIO_TARGET,
    });
  }
  if (t) {
    out.push({ target: 'round trips, new mapped event: 1 warm, 3 cold (registry + mapping + write)', measured: `${t.newWarm.requests} warm, ${t.newCold.requests} cold`, holds: t.newWarm.requests === 1 && t.newCold.requests === 3 });
    out.push({ target: 'round trips, duplicate: 2 (the write, then the repeat counter)', measured: String(t.duplicate.requests), holds: t.duplicate.requests === 2 });
  }
  if (l) out.push({ target: `p50 / floor p50 ≤ ${LATENCY_RATIO_TARGET}`, measured: ratio(l.webhook.p50, l.floor.p50), holds: l.webhook.p50 / l.floor.p50 <= LATENCY_RATIO_TARGET });
  if (b && c && t && l) {
    const [wb, pb] = [b.of('webhook', 'deployed').bytes, b.of('peer', 'deployed').bytes];
    const [wi, pi] = [c.of('webhook', 'deployed').importMs, c.of('peer', 'deployed').importMs];
    out.push({
      target: 'beats the Powertools peer on round trips, p50, deployed bundle size and cold import',
      measured: `${t.newWarm.requests} vs ${t.peerNew.requests} trips; ${ms(l.webhook.p50)} vs ${ms(l.peer.p50)}; ${kb(wb)} vs ${kb(pb)}; ${ms(wi)} vs ${ms(pi)}`,
      holds: t.newWarm.requests < t.peerNew.requests && l.webhook.p50 < l.peer.p50 && wb < pb && wi < pi,
    });
  }
  if (f.memory) out.push(memoryTarget(f.memory));
  if (f.caches) out.push(schoolsTarget(f.caches));
  if (f.feed) out.push(feedTarget(f.feed));
  return out;
}

function sections(f: Figures): Section[] {
  const out: Section[] = [];
  if (f.bundles) out.push(bundlesSection(f.bundles));
  if (f.cold && f.bundles && f.trips) out.push(coldStartSection(f.cold, f.bundles, f.trips));
  if (f.trips) out.push(roundTripsSection(f.trips));
  if (f.latency) out.push(latencySection(f.latency));
  if (f.throughput) out.push(throughputSection(f.throughput));
  if (f.latency && f.cold && f.trips) out.push(costSection(f.lambdaMemoryMb, f.latency, f.cold, f.trips));
  if (f.memory) out.push(memorySection(f.memory));
  if (f.caches) out.push(schoolsSection(f.caches, f.trips));
  if (f.erasure) out.push(erasureSection(f.erasure));
  if (f.feed) out.push(feedSection(f.feed, f.lambdaMemoryMb, f.latency && f.cold && f.trips ? costTotal(f.lambdaMemoryMb, f.latency, f.cold, f.trips) : undefined));
  return out;
}

export type Rendered = { markdown: string; targets: Target[] };

const OBSERVABILITY = new URL('./observability.md', import.meta.url);

export function render(f: Figures): Rendered {
  const body = sections(f);
  const ref = (title: string) => `§${body.findIndex((s) => s.title === title) + 1}`;
  const checked = targets(f, ref);
  const m = f.machine;
  const lines = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${m.date}, Node ${m.node}, ${m.cpus} × ${m.cpuModel} (load average ${m.loadAverage.toFixed(2)} when the run began), ${m.dynamodbLocal}, in memory.`,
    'Absolute times on this shared machine drift; every target on time is a ratio measured in the same run.',
    '',
    '## Targets',
    '',
    '| Target | Measured | Verdict |',
    '|---|---|---|',
    ...checked.map((x) => `| ${x.target} | ${x.measured} | ${verdict(x.holds)} |`),
    ...body.flatMap((s, i) => ['', `## ${i + 1}. ${s.title}`, '', ...s.lines]),
    // Measured by its own script (bench/measure/observability.ts), kept as written.
    ...(existsSync(OBSERVABILITY) ? ['', readFileSync(OBSERVABILITY, 'utf8').trimEnd()] : []),
    '',
  ];
  return { markdown: lines.join('\n'), targets: checked };
}
