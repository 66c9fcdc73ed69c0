import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_ID_LENGTH, EVENT_ID_PATTERN, createEventIdFactory, eventIdTime } from '#lib/domain/feed/event-id.ts';

const T = Date.UTC(2027, 0, 10, 12);
const sorted = (ids: string[]) => [...ids].sort();

describe('feed event ids', () => {
  it('are evt_ and a fixed number of characters, carrying their emission time', () => {
    const next = createEventIdFactory(() => T);
    const id = next();
    assert.match(id, EVENT_ID_PATTERN);
    assert.equal(id.length, EVENT_ID_LENGTH);
    assert.equal(eventIdTime(id), T);
    assert.equal(createEventIdFactory(() => 0)().length, EVENT_ID_LENGTH);
    assert.equal(createEventIdFactory(() => 2 ** 48 - 1)().length, EVENT_ID_LENGTH);
  });

  it('sort in emission order within one process, even thousands in the same millisecond', () => {
    const next = createEventIdFactory(() => T);
    const ids = Array.from({ length: 5000 }, next);
    assert.deepEqual(sorted(ids), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('sort in emission order when the clock steps back', () => {
    const times = [T, T + 5, T + 2, T + 2, T + 1, T + 9];
    const next = createEventIdFactory(() => times.shift()!);
    const ids = Array.from({ length: 6 }, next);
    assert.deepEqual(sorted(ids), ids);
  });

  it('sort by time across processes, and differ within one millisecond by their random part', () => {
    const a = createEventIdFactory(() => T);
    const b = createEventIdFactory(() => T + 1);
    const [first, second] = [b(), a()];
    assert.deepEqual(sorted([first, second]), [second, first]);
    assert.notEqual(createEventIdFactory(() => T)(), createEventIdFactory(() => T)());
  });

  it('sort as numbers do: a later millisecond is always a later id', () => {
    const next = createEventIdFactory(() => T);
    for (const later of [T + 1, T + 31, T + 32, T + 1024, T + 2 ** 30]) {
      assert.ok(next() < createEventIdFactory(() => later)(), `${T} before ${later}`);
    }
  });

  it('borrow the next millisecond rather than wrap the counter, keeping the order', () => {
    const zeros = () => new Uint8Array(12);
    const next = createEventIdFactory(() => T, zeros);
    let previous = next();
    for (let i = 0; i < 32 ** 4; i++) {
      const id = next();
      if (id <= previous) assert.fail(`${id} after ${previous}`);
      previous = id;
    }
    assert.equal(eventIdTime(previous), T + 1);
  });

  it('refuses to read the time of something that is not an event id', () => {
    assert.throws(() => eventIdTime('evt_short'), /not an event id/);
  });
});
