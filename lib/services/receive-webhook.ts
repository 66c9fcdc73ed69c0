import { createHash } from 'node:crypto';
import type { Outcome } from '../domain/write-plan.ts';
import type { ParseResult } from '../domain/hotmart/event.ts';
import { parseFormDelivery } from '../domain/hotmart/webhook-v1.ts';
import { parseJsonDelivery } from '../domain/hotmart/webhook-v2.ts';
import { boundBody, redactRawBody } from '../domain/redact.ts';
import type { ApplyDeps } from './apply-event.ts';
import { applyHotmartEvent } from './apply-event.ts';
import type { QuarantineStore } from './ports.ts';

/** An authenticated delivery: the transport checks (size, content type, token) have passed. */
export type Delivery = { mediaType: 'json' | 'form'; body: string; receivedAt: number };

export type ReceiveResult =
  | { kind: 'applied'; eventId: string; event: string; outcome: Outcome }
  | { kind: 'quarantined'; quarantineId: string; reason: string };

/** `scope`: the school's (lib/domain/school.ts scopeOf). */
export type ReceiveDeps = ApplyDeps & { quarantine: QuarantineStore; scope: string };

const QUARANTINE_DAYS = 30;
/** A quarantined body is kept up to this many bytes (README, "API"): far below DynamoDB's 400 KB item limit. */
export const QUARANTINE_BODY_MAX_BYTES = 64 * 1024;

/**
 * A quarantined delivery's id is the SHA-256 of the school's scope and its redacted body, so the
 * same body is one record in a school (Hotmart's retries of a bad delivery do not pile up), and
 * two schools' identical bodies are two records.
 */
export const quarantineIdOfBody = (scope: string, redactedBody: string) => createHash('sha256').update(scope).update('\u0000').update(redactedBody).digest('hex');

/** Today's parser, for either version of a delivery. */
export function parseDelivery(delivery: Delivery): ParseResult {
  return delivery.mediaType === 'form'
    ? parseFormDelivery(new URLSearchParams(delivery.body), delivery.receivedAt)
    : parseJsonDelivery(delivery.body, delivery.receivedAt);
}

/**
 * Turns one authenticated Hotmart delivery into a stored event and its effect. A delivery that
 * cannot be understood is kept in quarantine (redacted) rather than refused, so that nothing that
 * carried the right token is lost and Hotmart does not disable the webhook.
 */
export async function receiveHotmartDelivery(delivery: Delivery, deps: ReceiveDeps): Promise<ReceiveResult> {
  const parsed = parseDelivery(delivery);

  if (!parsed.ok) {
    const redacted = redactRawBody(delivery.body, delivery.mediaType);
    const quarantineId = quarantineIdOfBody(deps.scope, redacted);
    const replaced = await deps.quarantine.put({
      id: quarantineId,
      reason: parsed.reason,
      contentType: delivery.mediaType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
      ...boundBody(redacted, QUARANTINE_BODY_MAX_BYTES, delivery.mediaType),
      receivedAt: delivery.receivedAt,
      expiresAt: Math.floor(delivery.receivedAt / 1000) + QUARANTINE_DAYS * 24 * 3600,
    });
    // The same body again moved its record (and its place on the arrivals index) to now: the earlier delivery is counted where it was.
    if (replaced !== undefined) await deps.events.countRepeat('quarantined', replaced);
    return { kind: 'quarantined', quarantineId, reason: parsed.reason };
  }

  const outcome = await applyHotmartEvent(parsed.event, deps, { receivedAt: delivery.receivedAt, arrival: {} });
  return { kind: 'applied', eventId: parsed.event.id, event: parsed.event.event, outcome };
}
