/** The operational sections of BENCHMARKS.md: throughput, cost, reconciliation memory. */
import { DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_PAGES } from '#lib/adapters/hotmart/api-client.ts';
import type { ColdFigures } from '../measure/cold-start.ts';
import type { LatencyFigures } from '../measure/latency.ts';
import type { ChildResult, MemoryFigures } from '../measure/memory.ts';
import type { RoundTripFigures } from '../measure/round-trips.ts';
import type { ThroughputFigures } from '../measure/throughput.ts';
import { count, mb, ratio } from './format.ts';
import type { Section, Target } from './format.ts';

export function throughputSection(t: ThroughputFigures): Section {
  return {
    title: 'Throughput',
    lines: [
      `${count(t.requests)} unique webhooks at concurrency ${t.concurrency} through the \`npm start\` stack (serverless-offline → webhook Lambda → DynamoDB Local), against ${count(t.requests)} raw PutItem calls at the same concurrency on the same DynamoDB Local.`,
      '',
      '| Path | events/s |',
      '|---|---|',
      `| HTTP → webhook → DynamoDB Local (${t.httpErrors} non-200) | ${t.httpRate.toFixed(0)} |`,
      `| raw PutItem | ${t.putRate.toFixed(0)} |`,
      `| ratio | ${ratio(t.httpRate, t.putRate)} |`,
      '',
      'serverless-offline runs each invocation through its own Lambda emulation (worker threads, event building); the ratio measures that emulation as much as the webhook, and is reported, not targeted.',
    ],
  };
}

/** Published us-east-1 prices (check before budgeting) and the assumed share of cold starts. */
const PRICE = { lambdaGbSecond: 0.0000133334, lambdaPerMillion: 0.2, httpApiPerMillion: 1.0, wruPerMillion: 0.625, rruPerMillion: 0.125 };
const COLD_START_RATE = 0.01;
const usd = (x: number, digits = 2) => `$${x.toFixed(digits)}`;

function costOf(memoryMb: number, latency: LatencyFigures, cold: ColdFigures, trips: RoundTripFigures) {
  const billedMs = Math.ceil(latency.webhook.p50);
  const initMs = Math.ceil(cold.of('webhook', 'deployed').firstEventMs - latency.webhook.p50);
  const gbSeconds = (memoryMb / 1024) * ((billedMs + COLD_START_RATE * initMs) / 1000);
  const perMillion = {
    lambdaDuration: 1e6 * gbSeconds * PRICE.lambdaGbSecond,
    lambdaRequests: PRICE.lambdaPerMillion,
    httpApi: PRICE.httpApiPerMillion,
    dynamodbWrites: trips.newWarm.writeUnits * PRICE.wruPerMillion,
    dynamodbReads: trips.newCold.readUnits * COLD_START_RATE * PRICE.rruPerMillion,
  };
  const total = Object.values(perMillion).reduce((a, b) => a + b, 0);
  return { billedMs, initMs, gbSeconds, perMillion, total };
}

/** The total per million webhooks the cost section renders (the feed's section adds to it). */
export const costTotal = (...args: Parameters<typeof costOf>) => costOf(...args).total;

export function costSection(memoryMb: number, latency: LatencyFigures, cold: ColdFigures, trips: RoundTripFigures): Section {
  const { billedMs, initMs, gbSeconds, perMillion, total } = costOf(memoryMb, latency, cold, trips);
  const pct = COLD_START_RATE * 100;
  return {
    title: 'Cost of one million webhooks (us-east-1)',
    lines: [
      `Prices as published by AWS for us-east-1 (check before budgeting): Lambda arm64 $${PRICE.lambdaGbSecond} per GB-s and ${usd(PRICE.lambdaPerMillion)} per million requests; HTTP API ${usd(PRICE.httpApiPerMillion)} per million requests; DynamoDB on-demand $${PRICE.wruPerMillion} per million write request units and $${PRICE.rruPerMillion} per million read request units. Assumed: ${pct}% of deliveries meet a cold start.`,
      '',
      `- Lambda duration: ${memoryMb} MB (serverless.yml) × (${billedMs} ms billed p50 + ${pct}% cold starts × ${initMs} ms INIT) = ${gbSeconds.toExponential(3)} GB-s per webhook → 1M × ${gbSeconds.toExponential(3)} × $${PRICE.lambdaGbSecond} = ${usd(perMillion.lambdaDuration)}`,
      `- Lambda requests: 1M × ${usd(PRICE.lambdaPerMillion)}/M = ${usd(perMillion.lambdaRequests)}`,
      `- HTTP API: 1M × ${usd(PRICE.httpApiPerMillion)}/M = ${usd(perMillion.httpApi)}`,
      `- DynamoDB writes: ${trips.newWarm.writeUnits} write units per new purchase (TransactWriteItems: 2 per item per KB, the byTarget index included) → 1M × ${trips.newWarm.writeUnits} × $${PRICE.wruPerMillion}/M = ${usd(perMillion.dynamodbWrites)}`,
      `- DynamoDB reads: mapping read on ${pct}% of deliveries (cold cache) × ${trips.newCold.readUnits} read units → ${usd(perMillion.dynamodbReads, 4)}`,
      `- **Total ≈ ${usd(total)} per million webhooks**, of which DynamoDB writes are ${((perMillion.dynamodbWrites / total) * 100).toFixed(0)}%.`,
      '',
      'The duration is the in-process p50 measured here against DynamoDB Local; in AWS the DynamoDB round trip dominates it the same way.',
    ],
  };
}

const growth = (r: ChildResult) => r.peakLive - r.baselineHeap;

export function memoryTarget(m: MemoryFigures): Target {
  return {
    target: `reconciling a ${count(m.sales)}-sale window holds one page, not the window: live heap growth < ¼ of holding it, and the run finishes with ${m.heapLimitMb} MB of old space`,
    measured: `+${mb(growth(m.run))} vs +${mb(growth(m.hold))}; ${m.finishedUnderLimit ? 'finished' : 'did not finish'} under ${m.heapLimitMb} MB`,
    holds: m.finishedUnderLimit && growth(m.run) * 4 < growth(m.hold),
  };
}

export function memorySection(m: MemoryFigures): Section {
  const row = (name: string, r: ChildResult) =>
    `| ${name} | ${mb(r.baselineHeap)} → ${mb(r.peakLive)} (+${mb(growth(r))}) | ${mb(r.baselineRss)} → ${mb(r.peakRss)} | ${(r.elapsedMs / 1000).toFixed(1)} s |`;
  return {
    title: 'Reconciliation memory',
    lines: [
      `One run (lib/services/reconcile.ts with the real API client) over a ${m.windowHours}-hour window of ${count(m.sales)} approved sales (${mb(m.answerBytes)} as JSON) served by the fake Hotmart API in pages of ${count(m.pageSize)} ` +
        `(${m.requests} API requests: ${Math.ceil(m.sales / m.pageSize)} pages of approved sales, one empty page per other status, and the subscription reads), each measurement in a child process of its own (bench/measure/memory-child.ts). ` +
        'The store is a stand-in that finds every sale already known — what a run finds when the webhooks arrived — so DynamoDB Local does not set the pace; the reading, parsing and planning are the service\'s own. ' +
        '"Holding the window" reads the same sales with the same client into one array, as the client did before it handed out pages as they came.',
      '',
      '| Process | live heap: before → peak | RSS: before → peak (maxRSS) | duration |',
      '|---|---|---|---|',
      row('reconciliation run', m.run),
      row('holding the window (for comparison)', m.hold),
      '',
      `Live heap is sampled after a full collection every 50 ms; RSS includes tsx and the loaded modules. The run also ${m.finishedUnderLimit ? 'finishes' : '**does not finish**'} with \`--max-old-space-size=${m.heapLimitMb}\`. ` +
        `The client asks for the next page only when the run has applied the last item of this one; a page is at most ${mb(DEFAULT_MAX_ANSWER_BYTES)} (larger answers are refused) and a read at most ${count(DEFAULT_MAX_PAGES)} pages, so a run holds at most one ${mb(DEFAULT_MAX_ANSWER_BYTES)} answer and its parse.`,
    ],
  };
}
