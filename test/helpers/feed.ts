/**
 * Deliveries as a platform may see them: every event at least once, some several times, in any
 * order. `random` is a seeded source (fast-check gives the seed), so a failure replays.
 */
export function deliveredInAnyOrder<T>(events: readonly T[], random: () => number, maxCopies = 3): T[] {
  const deliveries = events.flatMap((event) => Array.from({ length: 1 + Math.floor(random() * maxCopies) }, () => event));
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }
  return deliveries;
}

/** mulberry32: a small seeded PRNG in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
