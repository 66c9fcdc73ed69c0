import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TokenHashes } from '#lib/domain/school.ts';
import { hashMatches, tokenHash } from '#lib/domain/school.ts';
import { redactRawBody } from '#lib/domain/redact.ts';

describe('token check', () => {
  const pepper = Buffer.from('test pepper');
  const accepted = { current: tokenHash(pepper, 'current-token-abc'), previous: tokenHash(pepper, 'previous-token-xyz'), updatedAt: 1 };
  const tokenMatches = (presented: string | undefined, tokens: TokenHashes | undefined) => presented !== undefined && presented !== '' && hashMatches(tokenHash(pepper, presented), tokens);

  it('accepts the current and the previous token', () => {
    assert.equal(tokenMatches('current-token-abc', accepted), true);
    assert.equal(tokenMatches('previous-token-xyz', accepted), true);
  });

  it('refuses missing, empty, wrong, prefixed and differently cased tokens', () => {
    for (const presented of [undefined, '', 'current-token-ab', 'current-token-abcd', 'CURRENT-TOKEN-ABC', ' current-token-abc']) {
      assert.equal(tokenMatches(presented, accepted), false, String(presented));
    }
  });

  it('compares tokens of any length without throwing', () => {
    for (const presented of ['x', 'é'.repeat(5000), '\u0000', 'a'.repeat(1_000_000)]) {
      assert.equal(tokenMatches(presented, accepted), false);
    }
  });

  it('refuses everything when no token is configured, and the previous one once it is dropped', () => {
    assert.equal(tokenMatches('anything', undefined), false);
    assert.equal(tokenMatches('previous-token-xyz', { current: accepted.current, updatedAt: 1 }), false);
  });

  it('hashes with the pepper: another pepper gives another hash, and the hash is not the token', () => {
    assert.notEqual(tokenHash(pepper, 'current-token-abc'), tokenHash(Buffer.from('other'), 'current-token-abc'));
    assert.match(accepted.current, /^[0-9a-f]{64}$/);
    assert.equal(hashMatches('00', accepted), false, 'a digest of another length matches nothing, without throwing');
  });
});

describe('redacting a quarantined body', () => {
  it('drops the token and personal fields from JSON, keeping the rest', () => {
    const body = JSON.stringify({ hottok: 'SECRET', id: 'x', data: { buyer: { email: 'a@b.c', document: '123', address: { city: 'X' } } } });
    const redacted = JSON.parse(redactRawBody(body, 'json'));
    assert.deepEqual(redacted, { id: 'x', data: { buyer: { email: 'a@b.c' } } });
  });

  it('blanks the token in a body that is not valid JSON', () => {
    const redacted = redactRawBody('{"hottok": "SECRET", "document": "12345678909", "id": ', 'json');
    assert.ok(!redacted.includes('SECRET'));
    assert.ok(!redacted.includes('12345678909'));
    assert.ok(redacted.includes('"id"'));
  });

  it('drops the token and personal fields from a form', () => {
    const redacted = new URLSearchParams(redactRawBody('hottok=SECRET&doc=123&phone_number=9&address_city=X&email=a%40b.c&transaction=HP1', 'form'));
    assert.deepEqual([...redacted.keys()], ['email', 'transaction']);
  });
});
