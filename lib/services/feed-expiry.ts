import type { AccessEndsIndex, EnrollmentSource } from './feed-capture-ports.ts';
import type { CaptureDeps } from './feed-capture.ts';
import { emitFor } from './feed-capture.ts';

export type ExpiryDeps = CaptureDeps & { due: AccessEndsIndex; enrollment: EnrollmentSource };

/**
 * The expiry sweep: every enrollment whose access may have ended by now is read again through its
 * school's keys and emitted like any change, cause `expiry`. An enrollment whose access a renewal
 * extended first is no longer due (the capture moved its time) or, re-read, shows the same state:
 * nothing is emitted. Once emitted, its feed state has no access and leaves the index.
 */
export async function sweepExpired(deps: ExpiryDeps): Promise<{ checked: number; expired: number }> {
  let checked = 0;
  let expired = 0;
  for await (const ref of deps.due(deps.clock())) {
    checked++;
    const record = await deps.enrollment(ref);
    if (!record) {
      // Gone (a removed grant-only enrollment, an erased student): its capture announced it already.
      const previous = await deps.feed.readState(ref);
      if (previous) await deps.feed.watch(ref, previous.sequence, null);
      continue;
    }
    const event = await emitFor(ref, record, { source: 'expiry' }, deps);
    if (event) expired++;
  }
  return { checked, expired };
}
