/** The per-request sections of BENCHMARKS.md: bundles, cold start, round trips, latency. */
import type { BundleFigures, BundleName } from '../measure/bundles.ts';
import type { ColdFigures } from '../measure/cold-start.ts';
import type { LatencyFigures } from '../measure/latency.ts';
import type { RoundTripFigures, Trip } from '../measure/round-trips.ts';
import { kb, ms, ratio } from './format.ts';
import type { Section } from './format.ts';

export const COLD_RATIO_TARGET = 1.3;

export function bundlesSection(b: BundleFigures): Section {
  const names: BundleName[] = ['webhook', 'mappings', 'enrollments', 'baseline', 'peer'];
  const locales = (name: BundleName) => [...new Set([...b.of(name, 'deployed').zodLocales, ...b.of(name, 'external').zodLocales])].join(', ') || 'none';
  const ours = b.bundles.filter((x) => ['webhook', 'mappings', 'enrollments'].includes(x.name) && x.build !== 'secrets-manager-inside');
  const ourLocales = [...new Set(ours.flatMap((x) => x.zodLocales))];
  return {
    title: 'Bundles',
    lines: [
      `Minified ESM, built with the esbuild options of \`serverless.yml\` (\`custom.esbuild\`); sizes from the esbuild metafile. "deployed" is that build exactly — the AWS SDK inside, except what \`exclude\` leaves to Lambda's runtime (${b.excluded.map((x) => `\`${x}\``).join(', ')}); "SDK external" leaves the whole SDK out, for comparison.`,
      '',
      '| Function | deployed | SDK external | zod locale files |',
      '|---|---|---|---|',
      ...names.map((name) => `| ${name} | ${kb(b.of(name, 'deployed').bytes)} | ${kb(b.of(name, 'external').bytes)} | ${locales(name)} |`),
      '',
      `zod is imported as \`import * as z from 'zod'\` everywhere, so of its locales ours bundle ${ourLocales.join(', ') || 'none'} (${kb(Math.max(...ours.map((x) => x.zodLocaleBytes)))}): zod's classic API registers \`en\` as the default error map, and it is what writes the field messages in 400 answers and quarantine reasons. ` +
        `Dropping it would mean \`zod/mini\` and hand-written messages; the target's purpose — not shipping every locale, ${kb(b.of('peer', 'deployed').zodLocaleBytes)} in the peer's bundle, which \`import { z }\` pulls in — holds.`,
    ],
  };
}

export function coldStartSection(c: ColdFigures, b: BundleFigures, trips: RoundTripFigures): Section {
  const row = (name: BundleName, build: 'deployed' | 'external') =>
    `| ${name} | ${build} | ${ms(c.of(name, build).importMs)} | ${ms(c.of(name, build).firstEventMs)} | ${ratio(c.of(name, build).firstEventMs, c.of('baseline', build).firstEventMs)} |`;
  const deployed = c.of('webhook', 'deployed');
  const external = c.of('webhook', 'external');
  const inside = c.of('webhook', 'secrets-manager-inside');
  const baseline = c.of('baseline', 'deployed');
  const floor = c.of('floor', 'deployed');
  const held = deployed.firstEventMs / baseline.firstEventMs <= COLD_RATIO_TARGET;
  const first = (x: { importMs: number; firstEventMs: number }) => x.firstEventMs - x.importMs;
  return {
    title: 'Cold start',
    lines: [
      `A fresh \`node\` process imports the bundle and handles its first event against DynamoDB Local; median of ${c.runs} runs each, interleaved. "baseline" only builds the DynamoDB document client and issues one PutItem (the issue's reference); "floor" builds a bare client and issues the very requests the webhook's first delivery must make — the mapping Query (the cache is cold) and the captured TransactWriteItems.`,
      '',
      '| Bundle | build | import | import + first event | / baseline |',
      '|---|---|---|---|---|',
      ...(['webhook', 'baseline', 'floor', 'peer'] as const).flatMap((name) => (['deployed', 'external'] as const).map((build) => row(name, build))),
      `| webhook | Secrets Manager client inside | ${ms(inside.importMs)} | ${ms(inside.firstEventMs)} | ${ratio(inside.firstEventMs, baseline.firstEventMs)} |`,
      '',
      `**The SDK is bundled.** The webhook's first event takes ${ms(external.firstEventMs)} with the SDK external and ${ms(deployed.firstEventMs)} as deployed, in this run` +
        (deployed.firstEventMs <= external.firstEventMs
          ? ': loading the SDK\'s many files from node_modules costs more than parsing them from one bundle, and the deployed SDK version is then the tested one. '
          : ' — **the SDK external was faster in this run**: if that repeats, serverless.yml\'s choice deserves another look. ') +
        `The Secrets Manager client (the token pepper's) is the exception: only the webhook's first request in AWS imports it, dynamically, from Lambda's runtime. Inside the bundle it would add ${kb(b.of('webhook', 'secrets-manager-inside').bytes - b.of('webhook', 'deployed').bytes)} and ${ms(inside.firstEventMs - deployed.firstEventMs)} to this cold start.`,
      '',
      `**Why the ratio ${held ? 'holds' : 'misses'} ${COLD_RATIO_TARGET}.** Of the webhook's ${ms(deployed.firstEventMs)}, ${ms(deployed.importMs)} is import (baseline ${ms(baseline.importMs)}) and ` +
        `${ms(first(deployed))} the first event (baseline ${ms(first(baseline))}, floor ${ms(first(floor))}). ` +
        `The import difference is compiling a bundle ${kb(b.of('webhook', 'deployed').bytes - b.of('baseline', 'deployed').bytes)} larger (zod 4 classic and our schemas, middy) and building the zod schemas; the first-event difference is ${trips.newCold.requests} DynamoDB round trips instead of the baseline's one ` +
        `(a cold mapping cache must read the mapping before it can grant) and the first zod parse. Closing it would mean replacing zod classic by \`zod/mini\` throughout — a rewrite of every schema to win back part of the ${ms(deployed.importMs - baseline.importMs)} of extra import, once per container; ` +
        'the per-request targets, which every delivery pays, are the ones that matter.',
    ],
  };
}

export function roundTripsSection(t: RoundTripFigures): Section {
  const row = (name: string, x: Trip, units = true) =>
    `| ${name} | ${x.status} | ${x.requests} | ${x.commands.join(' + ')} | ${units ? x.writeUnits : '—'} | ${units ? x.readUnits : '—'} |`;
  return {
    title: 'Round trips per webhook',
    lines: [
      'Requests to DynamoDB counted by an SDK middleware on the service\'s client (the handler adds none); capacity units as DynamoDB Local reports them. The peer\'s requests are counted by a proxy in front of DynamoDB Local.',
      '',
      '| Delivery | Answer | Requests | Commands | Write units | Read units |',
      '|---|---|---|---|---|---|',
      row('new mapped one-time purchase, the school’s first in a container (registry + mapping read)', t.newCold),
      row('new mapped one-time purchase, warm cache', t.newWarm),
      row('the same delivery again (duplicate)', t.duplicate, false),
      row('purchase of an unmapped product, cold', t.unmappedCold),
      row('purchase of an unmapped product, warm', t.unmappedWarm),
      row('subscription, first charge', t.firstCharge),
      row('subscription renewal (reads its record, writes under its version)', t.renewalCharge),
      `| peer: new purchase | ${t.peerNew.status} | ${t.peerNew.requests} | idempotency PutItem + GetItem mapping + PutItem event + UpdateItem enrollment + idempotency UpdateItem | | |`,
      `| peer: duplicate | ${t.peerDuplicate.status} | ${t.peerDuplicate.requests} | idempotency PutItem (fails, returns the stored answer) | | |`,
      '',
      'A failed condition is not a read-then-write: every decision is a condition DynamoDB evaluates inside the one TransactWriteItems; a cancellation returns the current items, and only then is a second write planned.',
    ],
  };
}

export function latencySection(l: LatencyFigures): Section {
  return {
    title: 'Latency against the DynamoDB floor',
    lines: [
      `${l.runs} new mapped purchases, in-process, warm, interleaved: the deployed webhook bundle's handler (token check, parse, plan, one TransactWriteItems, answer); the floor — the very TransactWriteItems the handler sends, captured and replayed with fresh ids through a bare client; and the Powertools peer (its deployed-style bundle).`,
      '',
      '| Path | p50 | p99 | p50 / floor |',
      '|---|---|---|---|',
      `| webhook handler | ${ms(l.webhook.p50)} | ${ms(l.webhook.p99)} | ${ratio(l.webhook.p50, l.floor.p50)} |`,
      `| floor: the same TransactWriteItems | ${ms(l.floor.p50)} | ${ms(l.floor.p99)} | 1.00 |`,
      `| Powertools peer | ${ms(l.peer.p50)} | ${ms(l.peer.p99)} | ${ratio(l.peer.p50, l.floor.p50)} |`,
    ],
  };
}
