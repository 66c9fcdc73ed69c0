import type { CacheMemoryFigures } from '../measure/cache-memory.ts';
import type { BundleFigures } from '../measure/bundles.ts';
import type { ColdFigures } from '../measure/cold-start.ts';
import type { LatencyFigures } from '../measure/latency.ts';
import type { MemoryFigures } from '../measure/memory.ts';
import type { RoundTripFigures } from '../measure/round-trips.ts';
import type { ThroughputFigures } from '../measure/throughput.ts';

/** Everything one `npm run bench` measured; a section whose figures are absent is not rendered. */
export type Figures = {
  erasure?: import('../measure/erasure.ts').ErasureFigures;
  feed?: import('../measure/feed-latency.ts').FeedFigures;
  machine: { date: string; node: string; cpus: number; cpuModel: string; loadAverage: number; dynamodbLocal: string };
  /** serverless.yml's provider.memorySize, for the cost. */
  lambdaMemoryMb: number;
  bundles?: BundleFigures;
  cold?: ColdFigures;
  trips?: RoundTripFigures;
  latency?: LatencyFigures;
  throughput?: ThroughputFigures;
  memory?: MemoryFigures;
  caches?: CacheMemoryFigures;
};

export type Section = { title: string; lines: string[] };
export type Target = { target: string; measured: string; holds: boolean };

export const ms = (x: number) => `${x.toFixed(2)} ms`;
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const ratio = (a: number, b: number) => (a / b).toFixed(2);
export const verdict = (holds: boolean) => (holds ? 'holds' : '**misses**');
export const count = (n: number) => n.toLocaleString('en');
