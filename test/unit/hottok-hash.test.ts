import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { LOCAL_DEVELOPMENT_PEPPER } from '#lib/adapters/secrets/pepper.ts';
import { hashMatches, hottokHash } from '#lib/domain/hottok-hash.ts';

const pepper = Buffer.from('a-test-pepper-of-at-least-thirty-two-bytes');

describe('the webhook token hash', () => {
  it('is HMAC-SHA-256 of the token keyed with the pepper, in hex', () => {
    assert.equal(hottokHash(pepper, 'tok-1'), createHmac('sha256', pepper).update('tok-1').digest('hex'));
    assert.match(hottokHash(pepper, 'tok-1'), /^[0-9a-f]{64}$/);
  });

  it('differs with another pepper, so a copy of the table without the pepper tests no guess', () => {
    assert.notEqual(hottokHash(pepper, 'tok-1'), hottokHash(LOCAL_DEVELOPMENT_PEPPER, 'tok-1'));
    assert.equal(hashMatches(LOCAL_DEVELOPMENT_PEPPER, 'tok-1', [hottokHash(pepper, 'tok-1')]), false);
  });

  it('accepts the token of the current or the previous hash, and nothing else', () => {
    const current = hottokHash(pepper, 'current-token');
    const previous = hottokHash(pepper, 'previous-token');
    assert.equal(hashMatches(pepper, 'current-token', [current, previous]), true);
    assert.equal(hashMatches(pepper, 'previous-token', [current, previous]), true);
    assert.equal(hashMatches(pepper, 'previous-token', [current, undefined]), false);
    assert.equal(hashMatches(pepper, 'other', [current, previous]), false);
    assert.equal(hashMatches(pepper, '', [hottokHash(pepper, '')]), false, 'no token presented is no match');
    assert.equal(hashMatches(pepper, undefined, [current]), false);
  });

  it('never throws on a stored value that is not a digest (timingSafeEqual needs equal lengths): it matches nothing', () => {
    assert.equal(hashMatches(pepper, 'current-token', ['abc', 'not hex at all', hottokHash(pepper, 'current-token').toUpperCase()]), false);
    assert.equal(hashMatches(pepper, 'current-token', []), false);
  });
});
