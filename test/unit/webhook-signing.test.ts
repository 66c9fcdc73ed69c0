import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { newSecret, signatureHeader } from '#lib/adapters/webhooks/sign.ts';

const body = '{"id":"evt_01","type":"enrollment.granted","enrollment":{"email":"ana@example.com"}}';
const now = () => Math.floor(Date.now() / 1000);
const headers = (secrets: string[], id = 'evt_01', timestamp = now()) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signatureHeader(secrets, id, timestamp, body),
});

describe('Standard Webhooks signatures', () => {
  it('verifies with the standardwebhooks package and the same secret', () => {
    const secret = newSecret();
    assert.deepEqual(new Webhook(secret).verify(body, headers([secret])), JSON.parse(body));
  });

  it('matches the package’s own signature byte for byte', () => {
    const secret = newSecret();
    const timestamp = now();
    assert.equal(signatureHeader([secret], 'evt_01', timestamp, body), new Webhook(secret).sign('evt_01', new Date(timestamp * 1000), body));
  });

  it('fails to verify with a wrong secret, a changed body or another id', () => {
    const secret = newSecret();
    assert.throws(() => new Webhook(newSecret()).verify(body, headers([secret])));
    assert.throws(() => new Webhook(secret).verify(`${body} `, headers([secret])));
    assert.throws(() => new Webhook(secret).verify(body, { ...headers([secret]), 'webhook-id': 'evt_02' }));
  });

  it('signs with two secrets during a rotation: either one verifies, a third does not', () => {
    const [current, previous] = [newSecret(), newSecret()];
    const signed = headers([current, previous]);
    assert.equal(signed['webhook-signature'].split(' ').length, 2);
    assert.ok(signed['webhook-signature'].split(' ').every((entry) => entry.startsWith('v1,')));
    assert.doesNotThrow(() => new Webhook(current).verify(body, signed));
    assert.doesNotThrow(() => new Webhook(previous).verify(body, signed));
    assert.throws(() => new Webhook(newSecret()).verify(body, signed));
  });

  it('signs the exact bytes given, not a re-serialisation', () => {
    const secret = newSecret();
    const bytes = new TextEncoder().encode(body);
    assert.equal(signatureHeader([secret], 'evt_01', 1, bytes), signatureHeader([secret], 'evt_01', 1, body));
  });

  it('makes a new whsec_ secret of 32 random bytes each time', () => {
    const [a, b] = [newSecret(), newSecret()];
    assert.match(a, /^whsec_[A-Za-z0-9+/]+=*$/);
    assert.equal(Buffer.from(a.slice(6), 'base64').length, 32);
    assert.notEqual(a, b);
  });

  it('refuses a secret without the whsec_ prefix and an empty list of secrets', () => {
    assert.throws(() => signatureHeader(['not-a-secret'], 'evt_01', 1, body));
    assert.throws(() => signatureHeader([], 'evt_01', 1, body));
  });
});
