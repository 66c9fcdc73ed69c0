import { createHash, randomUUID } from 'node:crypto';
import { normalizeEmail } from '../domain/email.ts';
import type { ErasureCounts, ErasureStore } from './ports.ts';

/**
 * LGPD erasure: a buyer's e-mail and name are replaced, in events, enrollments, transactions,
 * subscriptions and quarantined bodies, by a pseudonym drawn at random — nothing derives it from
 * the e-mail, so it cannot be reversed. The records stay, countable for audit, and keep working:
 * a later refund of the same transaction still revokes the (pseudonymous) enrollment, and a
 * replay re-applies what is stored, which no longer holds the e-mail.
 *
 * An erasure that fails midway can simply be run again: until one run finishes, the e-mail's
 * SHA-256 keeps the pseudonym drawn first, so every record ends under the same one; the finished
 * run removes that link.
 */
export async function eraseStudent(email: string, deps: { erasure: ErasureStore }): Promise<{ pseudonym: string; erased: ErasureCounts }> {
  const normalised = normalizeEmail(email);
  const emailKey = createHash('sha256').update(normalised).digest('hex');
  const pseudonym = await deps.erasure.start(emailKey, `erased-${randomUUID()}@erased.invalid`);
  const erased = await deps.erasure.erase(normalised, pseudonym);
  await deps.erasure.finish(emailKey);
  return { pseudonym, erased };
}
