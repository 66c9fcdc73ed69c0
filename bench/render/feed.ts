/** The feed's section of BENCHMARKS.md: delivery latency, write units, cost with the feed. */
import { readFileSync } from 'node:fs';
import type { FeedFigures, FeedTiming } from '../measure/feed-latency.ts';
import { ms } from './format.ts';
import type { Section, Target } from './format.ts';

/** Published us-east-1 prices (check before budgeting). */
const PRICE = { wruPerMillion: 0.625, lambdaPerMillion: 0.2, lambdaGbSecond: 0.0000133334, eventBridgePerMillion: 1.0, sqsFifoPerMillion: 0.5 };
/** The feed's Lambda durations that are not measured here: the sender waits for the platform's answer. */
const SENDER_MS = 100;
const usd = (x: number, digits = 2) => `$${x.toFixed(digits)}`;

/** The webhook's own total per million, as §Cost rendered it (this run, or BENCHMARKS.md as committed). */
function webhookTotal(fromRun: number | undefined): { total: number; source: string } | undefined {
  if (fromRun !== undefined) return { total: fromRun, source: 'this run' };
  try {
    const match = /\*\*Total ≈ \$([\d.]+) per million webhooks\*\*/.exec(readFileSync(new URL('../../BENCHMARKS.md', import.meta.url), 'utf8'));
    return match ? { total: Number(match[1]), source: 'BENCHMARKS.md as committed' } : undefined;
  } catch {
    return undefined;
  }
}

export function feedUnits(f: FeedFigures) {
  const e = f.enrollment;
  // TransactWriteItems: 2 per item per KB; the byTarget index (projection ALL): 1 per KB of the new image.
  const table = 2 * (e.with.units - e.without.units);
  const index = e.with.units - e.without.units;
  return { table, index };
}

export function feedTarget(f: FeedFigures): Target {
  const { table, index } = feedUnits(f);
  return { target: "the feed's lastCause adds ≤ 2 write units per enrollment the webhook changes, and 0 round trips", measured: `+${table} (transaction) +${index} (byTarget index)`, holds: table + index <= 2 };
}

const row = (name: string, t: FeedTiming) => `| ${name} | ${t.n} | ${ms(t.p50)} | ${ms(t.p99)} | ${ms(t.max)} |`;

export function feedSection(f: FeedFigures, memoryMb: number, runTotal: number | undefined): Section {
  const e = f.enrollment;
  const { table, index } = feedUnits(f);
  const capture = 2 * (f.event.units + f.state.units) + (f.event.indexes ?? 0) + (f.state.indexes ?? 0) + 1; // + the feedPending entry
  const enqueue = f.event.units; // UpdateItem when not pushed (at most; pushed events skip it)
  const sender = f.event.units + 1; // UpdateItem on delivery, and the feedPending entry it removes
  const wru = table + index + capture + enqueue + sender;
  const gbs = (memoryMb / 1024) * ((2 * Math.ceil(f.captureMs) + SENDER_MS) / 1000);
  const perMillion = {
    writes: wru * PRICE.wruPerMillion,
    eventBridge: PRICE.eventBridgePerMillion,
    sqs: 3 * PRICE.sqsFifoPerMillion,
    lambdaRequests: 3 * PRICE.lambdaPerMillion,
    lambdaDuration: 1e6 * gbs * PRICE.lambdaGbSecond,
  };
  const feedTotal = Object.values(perMillion).reduce((a, b) => a + b, 0);
  const base = webhookTotal(runTotal);
  return {
    title: 'Feed: delivery latency and cost',
    lines: [
      `From the webhook handler's answer to a platform's endpoint on 127.0.0.1 receiving the enrollment.granted, through the local path \`npm start\` runs (scripts/local/feed-runtime.ts): the bench school's feed PUT through functions/feed's handler, purchases through functions/webhook's handler, DynamoDB Local's enrollments stream → functions/feed-capture → the feed table's stream → feed-enqueue → the local FIFO queue → feed-sender → HTTP. ${SEQUENTIAL_TEXT}`,
      '',
      '| Purchases | n | p50 | p99 | max |',
      '|---|---|---|---|---|',
      row('sequential (each waits for its delivery)', f.sequential),
      row('burst (all at once)', f.burst),
      '',
      `Every delivery was verified by the receiver with the secret the PUT returned (standardwebhooks)${f.unverified ? `, except **${f.unverified}**` : ''}.`,
      '',
      `Caveats: locally two stream hops are read by LocalStreamPoller (lib/adapters/local/stream-poller.ts), which reads each shard every ${f.poller.pollIntervalMs} ms (its \`quietMs\` of ${f.poller.quietMs} ms only decides when \`drained()\` resolves, not delivery); DynamoDB Local's streams are not DynamoDB's. In AWS, Lambda polls a DynamoDB stream about 4 times a second per shard, and reads SQS FIFO by long polling, so a delivery there waits on two stream polls (up to ~250 ms each) and the queue: the figures here are not AWS's. A burst is one school's: one FIFO message group, delivered in order, one after another.`,
      '',
      '**Write units.** Item sizes per DynamoDB\'s rules (attribute names + values; numbers (digits/2)+1; maps 3 bytes + 1 per element), from items read back from the tables after the run:',
      '',
      `- enrollment item (largest committed): ${e.without.bytes} B without \`lastCause\`, ${e.with.bytes} B with it (\`lastCause\`: ${e.lastCauseBytes} B) → ${e.without.units} → ${e.with.units} KB units. The webhook's TransactWriteItems: 2 × (${e.with.units} − ${e.without.units}) = **+${table}** write units; the byTarget index (projection ALL): **+${index}**; round trips: +0 (the cause rides on the same write). The cause adds units only when it takes an item over a KB boundary (this one has ${1024 * e.with.units - e.with.bytes} B to spare): then +2 in the transaction and +1 in byTarget. DynamoDB Local reports ${f.localReports.without} → ${f.localReports.with} capacity units for that item's TransactWriteItems Put under a fresh key, indexes included.`,
      `- feed event item ${f.event.bytes} B (${f.event.units} unit, in ${f.event.indexes ?? 0} KEYS_ONLY indexes), feed state item ${f.state.bytes} B (${f.state.units} unit, in ${f.state.indexes ?? 0}).`,
      `- capture: one TransactWriteItems of event + state = 2 × (${f.event.units} + ${f.state.units}) + ${(f.event.indexes ?? 0) + (f.state.indexes ?? 0)} index entries + 1 feedPending entry = ${capture}`,
      `- enqueue: UpdateItem when not pushed = ${enqueue} (at most); sender: UpdateItem on delivery = ${f.event.units} + 1 (the feedPending entry removed) = ${sender}`,
      `- DynamoDB Streams reads: free for Lambda triggers. Total the feed adds: ${wru} write units per enrollment changed.`,
      '',
      `**Cost per million webhooks with the feed** (one enrollment changed each; prices us-east-1, check before budgeting):`,
      '',
      `- DynamoDB writes: ${wru} × $${PRICE.wruPerMillion}/M = ${usd(perMillion.writes)}`,
      `- EventBridge PutEvents (one event ≤ 64 KB): ${usd(PRICE.eventBridgePerMillion)}/M = ${usd(perMillion.eventBridge)}`,
      `- SQS FIFO: send + receive + delete = 3 × $${PRICE.sqsFifoPerMillion}/M per 64 KB chunk = ${usd(perMillion.sqs)} (batched receives and deletes lower it, idle long polls add a fixed amount)`,
      `- Lambda requests: capture, enqueue and sender, unbatched = 3 × ${usd(PRICE.lambdaPerMillion)}/M = ${usd(perMillion.lambdaRequests)} (stream and queue batches of up to 100 and 10 lower it under load)`,
      `- Lambda duration: ${memoryMb} MB × (capture ${Math.ceil(f.captureMs)} ms measured here, enqueue taken as the same, sender ${SENDER_MS} ms assumed: it waits for the platform) = ${gbs.toExponential(3)} GB-s → ${usd(perMillion.lambdaDuration)}`,
      `- **The feed adds ≈ ${usd(feedTotal)} per million webhooks**${base ? `; with the webhook's ${usd(base.total)} (§Cost, ${base.source}) **≈ ${usd(base.total + feedTotal)} per million webhooks with the feed**` : ''}.`,
    ],
  };
}

const SEQUENTIAL_TEXT = 'Three warm-up purchases first; each sequential purchase waits for its delivery before the next; the burst sends its purchases at once.';
