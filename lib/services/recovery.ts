import type { Outcome } from '../domain/write-plan.ts';
import { AppError } from '../domain/errors.ts';
import type { HotmartEvent } from '../domain/hotmart/event.ts';
import type { ApplyDeps } from './apply-event.ts';
import { applyHotmartEvent } from './apply-event.ts';
import type { Page, QuarantineRecord, StoredEvent } from './ports.ts';
import type { Delivery, ReceiveDeps, ReceiveResult } from './receive-webhook.ts';
import { parseDelivery } from './receive-webhook.ts';

/** Quarantined deliveries, as kept: redacted, with the reason they were not understood. */
export function listQuarantine(limit: number, cursor: string | undefined, deps: Pick<ReceiveDeps, 'quarantine'>): Promise<Page<QuarantineRecord>> {
  return deps.quarantine.list(limit, cursor);
}

/** An operator's corrected copy of a quarantined delivery: the raw body, as Hotmart would have sent it. */
export type Correction = { body: string; contentType?: QuarantineRecord['contentType'] };

/**
 * Runs one quarantined delivery — or the operator's corrected copy of it — through today's parser.
 * Understood, it is applied like any delivery, as received when the original was (a copy already
 * received is a duplicate), and leaves quarantine. Still not understood, the record stays as it
 * is (a correction is never stored), and the answer gives the current reason.
 */
export async function replayQuarantined(id: string, deps: ReceiveDeps, correction?: Correction): Promise<ReceiveResult> {
  const record = await deps.quarantine.get(id);
  if (!record) throw new AppError('QUARANTINE.NOT_FOUND', `no quarantined delivery ${id}`);
  const contentType = correction?.contentType ?? record.contentType;
  const delivery: Delivery = {
    mediaType: contentType === 'application/x-www-form-urlencoded' ? 'form' : 'json',
    body: correction?.body ?? record.body,
    receivedAt: record.receivedAt,
  };
  const parsed = parseDelivery(delivery);
  if (!parsed.ok) {
    if (!correction && parsed.reason !== record.reason) await deps.quarantine.put({ ...record, reason: parsed.reason });
    return { kind: 'quarantined', quarantineId: id, reason: parsed.reason };
  }
  // The delivery was answered `quarantined` when it came: its status keeps counting it so (README, "The school's status").
  const outcome = await applyHotmartEvent(parsed.event, deps, { receivedAt: record.receivedAt, source: 'replay', arrival: { answered: 'quarantined' } });
  await deps.quarantine.delete(id);
  return { kind: 'applied', eventId: parsed.event.id, event: parsed.event.event, outcome };
}

/** The event as Hotmart sent it (reduced), without what storing it added. */
function asReceived(stored: StoredEvent): HotmartEvent {
  const { receivedAt: _r, outcome: _o, parked: _p, appliedAt: _a, waitedForMapping: _w, replayedAt: _x, arrival: _arrival, ...event } = stored;
  return event;
}

/**
 * Re-applies a stored event through today's rules and mappings. Idempotent: every effect is a
 * state the event's facts determine (a transaction's strongest status, a subscription's fold), so
 * a replay changes only what today's rules or mappings decide differently.
 */
export async function replayEvent(id: string, deps: ApplyDeps): Promise<{ event: StoredEvent; outcome: Outcome }> {
  const stored = await deps.events.get(id);
  if (!stored) throw new AppError('EVENT.NOT_FOUND', `no event ${id} was received`);
  const outcome = await applyHotmartEvent(asReceived(stored), deps, { receivedAt: stored.receivedAt, mode: 'replay', arrival: stored.arrival ? { answered: stored.arrival } : undefined });
  return { event: stored, outcome };
}
