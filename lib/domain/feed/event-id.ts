import { randomBytes } from 'node:crypto';

/**
 * Event ids `evt_<time><counter><random>`, fixed length, in Crockford base32 (digits before
 * letters, so string order is numeric order): 10 characters of epoch ms, 4 of a per-process counter,
 * 12 random. One process's ids sort in emission order even within a millisecond or when its clock
 * steps back; different processes' ids sort by time.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const COUNTER_CHARS = 4;
const RANDOM_CHARS = 12;
const COUNTER_LIMIT = 32 ** COUNTER_CHARS;
export const EVENT_ID_PATTERN = new RegExp(`^evt_[${ALPHABET}]{${TIME_CHARS + COUNTER_CHARS + RANDOM_CHARS}}$`);
export const EVENT_ID_LENGTH = 4 + TIME_CHARS + COUNTER_CHARS + RANDOM_CHARS;

function base32(value: number, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  if (value > 0) throw new Error('value too large for its field');
  return out;
}

/** The emission time (epoch ms) an event id carries. */
export function eventIdTime(id: string): number {
  if (!EVENT_ID_PATTERN.test(id)) throw new Error('not an event id');
  return [...id.slice(4, 4 + TIME_CHARS)].reduce((n, c) => n * 32 + ALPHABET.indexOf(c), 0);
}

export type RandomBytes = (size: number) => Uint8Array;

export function createEventIdFactory(clock: () => number, random: RandomBytes = randomBytes): () => string {
  let lastTime = -1;
  let counter = 0;
  return () => {
    let time = Math.max(Math.floor(clock()), lastTime);
    if (time === lastTime) counter += 1;
    else counter = 0;
    if (counter === COUNTER_LIMIT) {
      // More than a million ids in one millisecond: borrow the next one, order first.
      time += 1;
      counter = 0;
    }
    lastTime = time;
    const suffix = [...random(RANDOM_CHARS)].map((byte) => ALPHABET[byte % 32]).join('');
    return `evt_${base32(time, TIME_CHARS)}${base32(counter, COUNTER_CHARS)}${suffix}`;
  };
}

/** The lowest id an event emitted at or after `epochMs` can have (a replay's `from`/`to` as an id range). */
export function eventIdFloor(epochMs: number): string {
  return `evt_${base32(Math.max(0, Math.floor(epochMs)), TIME_CHARS)}`;
}
