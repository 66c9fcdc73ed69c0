import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIN_ATTEMPTS, RETRY_DELAYS_SECONDS, isExhausted, retryDelaySeconds } from '#lib/domain/feed/retry.ts';

const HOUR = 60 * 60 * 1000;
const SQS_MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

/** The schedule run to its end: when each failed attempt happens (ms after the first failure). */
function timeline(): number[] {
  const at = [0];
  for (let attempt = 1; !isExhausted(attempt, 0, at[attempt - 1]!); attempt++) {
    at.push(at[attempt - 1]! + retryDelaySeconds(attempt) * 1000);
    if (attempt > 1000) assert.fail('the schedule never ends');
  }
  return at;
}

describe('the push retry schedule', () => {
  it('retries the first failure within 10 seconds', () => {
    assert.ok(retryDelaySeconds(1) <= 10, `${retryDelaySeconds(1)} s`);
  });

  it('grows, then stays at a ceiling well under SQS’s 12 h visibility maximum', () => {
    const delays = Array.from({ length: 40 }, (_, i) => retryDelaySeconds(i + 1));
    for (let i = 1; i < delays.length; i++) assert.ok(delays[i]! >= delays[i - 1]!, `delay ${i + 1} shorter than delay ${i}`);
    assert.ok(Math.max(...delays) <= 2 * 60 * 60 && Math.max(...delays) < SQS_MAX_VISIBILITY_SECONDS);
    assert.equal(delays.at(-1), RETRY_DELAYS_SECONDS.at(-1));
  });

  it('keeps retrying for at least 24 hours, then the event is dead', () => {
    const at = timeline();
    assert.ok(at.at(-1)! >= 24 * HOUR, `last attempt at ${at.at(-1)! / HOUR} h`);
    assert.ok(at.at(-1)! <= 30 * HOUR, `last attempt at ${at.at(-1)! / HOUR} h`);
    assert.equal(at.length, 20);
  });

  it('is not exhausted early, however many attempts: only the time since the first failure ends it', () => {
    assert.equal(isExhausted(1000, 0, 23 * HOUR), false);
    assert.equal(isExhausted(20, 0, 25 * HOUR), true);
  });

  it('gives a receiver the whole growing ladder even when the attempts ran late', () => {
    assert.equal(isExhausted(2, 0, 48 * HOUR), false);
    assert.equal(isExhausted(MIN_ATTEMPTS, 0, 48 * HOUR), true);
  });

  it('counts failed attempts from 1', () => {
    for (const attempt of [0, -1, 1.5]) assert.throws(() => retryDelaySeconds(attempt), /counts from 1/);
  });
});
