import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PREVIOUS_SECRET_VALID_MS, rotatedSecrets, signingSecrets } from '#lib/domain/feed/secrets.ts';

const at = Date.parse('2026-12-01T10:00:00Z');
const secret = (name: string, validUntil: number | null) => ({ name, validUntil });

describe('feed signing secrets', () => {
  it('a rotation makes the new secret current and keeps the one it replaced for 24 h; a second one retires the oldest', () => {
    const once = rotatedSecrets([secret('a', null)], secret('b', null), at);
    assert.deepEqual(once, [secret('b', null), secret('a', at + PREVIOUS_SECRET_VALID_MS)]);
    assert.equal(PREVIOUS_SECRET_VALID_MS, 24 * 3600_000);
    const twice = rotatedSecrets(once, secret('c', null), at + 1000);
    assert.deepEqual(twice, [secret('c', null), secret('b', at + 1000 + PREVIOUS_SECRET_VALID_MS)]);
  });

  it('both sign during the 24 h, only the current one after; never more than two', () => {
    const secrets = rotatedSecrets([secret('a', null)], secret('b', null), at);
    assert.deepEqual(signingSecrets(secrets, at + 1).map((s) => s.name), ['b', 'a']);
    assert.deepEqual(signingSecrets(secrets, at + PREVIOUS_SECRET_VALID_MS - 1).map((s) => s.name), ['b', 'a']);
    assert.deepEqual(signingSecrets(secrets, at + PREVIOUS_SECRET_VALID_MS).map((s) => s.name), ['b']);
    assert.deepEqual(signingSecrets([secret('x', null), secret('y', at + 10), secret('z', at + 10)], at).length, 2);
  });
});
