import type { Outcome } from '../domain/enrollment-rules.ts';
import { AppError } from '../domain/errors.ts';
import type { HotmartEvent } from '../domain/hotmart-event.ts';
import type { ApplyDeps } from './apply-event.ts';
import { applyHotmartEvent } from './apply-event.ts';
import type { Page, QuarantineRecord, StoredEvent } from './ports.ts';
import type { ReceiveDeps, ReceiveResult } from './receive-webhook.ts';
import { receiveHotmartDelivery } from './receive-webhook.ts';

/** Quarantined deliveries, as kept: redacted, with the reason they were not understood. */
export function listQuarantine(limit: number, cursor: string | undefined, deps: Pick<ReceiveDeps, 'quarantine'>): Promise<Page<QuarantineRecord>> {
  return deps.quarantine.list(limit, cursor);
}

/**
 * Runs one quarantined delivery through today's parser. Understood now, it is applied like any
 * delivery (a copy already received is a duplicate) and leaves quarantine; still not understood,
 * it stays, with the current reason.
 */
export async function replayQuarantined(id: string, deps: ReceiveDeps): Promise<ReceiveResult> {
  const record = await deps.quarantine.get(id);
  if (!record) throw new AppError('QUARANTINE.NOT_FOUND', `no quarantined delivery ${id}`);
  const mediaType = record.contentType === 'application/x-www-form-urlencoded' ? 'form' : 'json';
  const result = await receiveHotmartDelivery({ mediaType, body: record.body, receivedAt: record.receivedAt }, deps);
  // Applied, it leaves quarantine; still quarantined, it is kept once, under its body's id
  // (which an erasure may have changed).
  if (result.kind === 'applied' || result.quarantineId !== id) await deps.quarantine.delete(id);
  return result;
}

/** The event as Hotmart sent it (reduced), without what storing it added. */
function asReceived(stored: StoredEvent): HotmartEvent {
  const { receivedAt: _r, outcome: _o, parked: _p, appliedAt: _a, waitedForMapping: _w, replayedAt: _x, ...event } = stored;
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
  const outcome = await applyHotmartEvent(asReceived(stored), deps, { receivedAt: stored.receivedAt, mode: 'replay' });
  return { event: stored, outcome };
}
