/**
 * The signing secrets of a school's feed endpoint (README, "Receive enrollment events"): the
 * current one (`validUntil` null) signs every delivery; after a rotation the one it replaced keeps
 * signing until its `validUntil`, 24 hours on. At most two sign at once.
 */
export const PREVIOUS_SECRET_VALID_MS = 24 * 60 * 60 * 1000;

type Dated = { validUntil: number | null };

/** The secrets that sign a delivery at `now`: the current one first, then a previous one still valid. */
export function signingSecrets<S extends Dated>(secrets: readonly S[], now: number): S[] {
  return secrets.filter((secret) => secret.validUntil === null || secret.validUntil > now).slice(0, 2);
}

/** The secrets after a rotation at `now`: `fresh` is current, the current one valid 24 h more; any older one is dropped. */
export function rotatedSecrets<S extends Dated>(secrets: readonly S[], fresh: S, now: number): S[] {
  const current = secrets.find((secret) => secret.validUntil === null);
  return current ? [fresh, { ...current, validUntil: now + PREVIOUS_SECRET_VALID_MS }] : [fresh];
}
