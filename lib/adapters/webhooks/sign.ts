import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing (standardwebhooks.com): `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`,
 * keyed with the base64-decoded bytes after `whsec_`. One entry per secret, space-separated, so
 * that during a rotation a consumer holding either secret verifies the delivery.
 */
const PREFIX = 'whsec_';

/** The HMAC key of a `whsec_…` secret: the bytes its base64 part decodes to. */
function keyOf(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new Error('a webhook secret starts with whsec_');
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  if (key.length === 0) throw new Error('a webhook secret holds at least one byte');
  return key;
}

/** The `webhook-signature` header of one attempt: every secret signs the exact body bytes. */
export function signatureHeader(secrets: string[], id: string, timestampSeconds: number, body: string | Uint8Array): string {
  if (secrets.length === 0) throw new Error('at least one secret signs a delivery');
  const signed = Buffer.concat([Buffer.from(`${id}.${timestampSeconds}.`), typeof body === 'string' ? Buffer.from(body) : body]);
  return secrets.map((secret) => `v1,${createHmac('sha256', keyOf(secret)).update(signed).digest('base64')}`).join(' ');
}

/** A new secret: `whsec_` + 32 random bytes in base64 (the specification asks for 24 to 64). */
export function newSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`;
}
