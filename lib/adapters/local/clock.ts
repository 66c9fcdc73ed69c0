/**
 * Time for the local stand-ins (LocalFifoQueue, LocalStreamPoller): the real one for `npm start`,
 * a manual one for tests, which move time on themselves instead of sleeping.
 */
export type Timer = { cancel(): void };
export type Clock = { now(): number; setTimer(callback: () => void, delayMs: number): Timer };

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

export type ManualClock = Clock & {
  /** Moves time on by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void;
  /** Time of the next timer (undefined: none). */
  nextTimerAt(): number | undefined;
};

export function manualClock(start = Date.UTC(2026, 11, 1)): ManualClock {
  let now = start;
  let timers: { at: number; callback: () => void; order: number }[] = [];
  let order = 0;
  return {
    now: () => now,
    setTimer(callback, delayMs) {
      const timer = { at: now + Math.max(0, delayMs), callback, order: order++ };
      timers.push(timer);
      return { cancel: () => (timers = timers.filter((t) => t !== timer)) };
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.order - b.order)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.callback();
      }
      now = until;
    },
    nextTimerAt: () => (timers.length === 0 ? undefined : Math.min(...timers.map((t) => t.at))),
  };
}
