/**
 * Latency, in-process and warm, interleaved: the deployed webhook bundle's handler; the floor — the
 * very TransactWriteItems the handler sends, replayed with fresh ids through a bare client; and the
 * Powertools peer.
 */
import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { BundleFigures } from './bundles.ts';
import { apiEvent, lambdaContext, purchase } from './stack.ts';
import type { BenchStack } from './stack.ts';
import { median, percentile } from './stats.ts';

export const LATENCY_RUNS = 400;
const WARM_UP = 50;

export type Timing = { p50: number; p99: number };
export type LatencyFigures = { runs: number; webhook: Timing; floor: Timing; peer: Timing };

export async function measureLatency(stack: BenchStack, bundles: BundleFigures): Promise<LatencyFigures> {
  const webhook = await import(bundles.of('webhook', 'deployed').file);
  const peer = await import(bundles.of('peer', 'deployed').file);
  const timings = { webhook: [] as number[], floor: [] as number[], peer: [] as number[] };
  for (let i = 0; i < WARM_UP; i++) {
    await webhook.handler(apiEvent(purchase()), lambdaContext);
    await peer.handler(apiEvent(purchase()), lambdaContext);
    await stack.raw.send(new TransactWriteItemsCommand(stack.sameWrites(purchase())));
  }
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const forWebhook = apiEvent(purchase());
    let t = performance.now();
    const response = await webhook.handler(forWebhook, lambdaContext);
    timings.webhook.push(performance.now() - t);
    if (JSON.parse(response.body).status !== 'processed') throw new Error(`webhook answered ${response.body}`);
    const writes = stack.sameWrites(purchase());
    t = performance.now();
    await stack.raw.send(new TransactWriteItemsCommand(writes));
    timings.floor.push(performance.now() - t);
    const forPeer = apiEvent(purchase());
    t = performance.now();
    await peer.handler(forPeer, lambdaContext);
    timings.peer.push(performance.now() - t);
  }
  const timing = (xs: number[]): Timing => ({ p50: median(xs), p99: percentile(xs, 99) });
  return { runs: LATENCY_RUNS, webhook: timing(timings.webhook), floor: timing(timings.floor), peer: timing(timings.peer) };
}
