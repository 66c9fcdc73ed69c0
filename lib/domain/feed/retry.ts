/**
 * The push retry schedule (issue 13: the first retry within about 10 s, retries for at least 24 h).
 * The sender runs it on SQS: a failed delivery's message gets ChangeMessageVisibility(delay) and
 * comes back, so no function sleeps. Delays grow, then stay at 2 h (well under SQS's 12 h maximum)
 * so a recovered platform is tried again soon.
 *
 * attempt (failure n) | at (after the 1st failure) | next retry in
 *   1 |  0 s     |  5 s
 *   2 |  5 s     | 30 s
 *   3 | 35 s     |  2 min
 *   4 |  2.6 min |  5 min
 *   5 |  7.6 min | 15 min
 *   6 | 22.6 min | 30 min
 *   7 | 52.6 min |  1 h
 *   8 |  1.9 h   |  2 h
 *   9 … 19 | 3.9 h … 23.9 h | 2 h each
 *  20 | 25.9 h   | — exhausted: the event is dead (20 attempts after the first try, 25.9 h)
 *
 * The queue must keep a message longer than that (retention ≥ 2 days) and must not move it to a
 * dead-letter queue before (maxReceiveCount above the attempts, with room for throttled receives).
 */

export const RETRY_DELAYS_SECONDS = [5, 30, 120, 300, 900, 1800, 3600, 7200] as const;
/** Retries stop once the first failure is this old … */
export const RETRY_WINDOW_MS = 25 * 60 * 60 * 1000;
/** … and the receiver has had the whole growing ladder, however late the attempts ran. */
export const MIN_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** Seconds to wait after failure number `attempt` (1 = the first failed delivery) before the next try. */
export function retryDelaySeconds(attempt: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`a failed attempt counts from 1: ${attempt}`);
  return RETRY_DELAYS_SECONDS[Math.min(attempt, RETRY_DELAYS_SECONDS.length) - 1]!;
}

/** After failure number `attempts`: true when the event is dead rather than retried (epoch ms). */
export function isExhausted(attempts: number, firstFailedAt: number, now: number): boolean {
  return attempts >= MIN_ATTEMPTS && now - firstFailedAt >= RETRY_WINDOW_MS;
}
