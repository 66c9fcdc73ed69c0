import { randomUUID } from 'node:crypto';
import type { ErasureCounts, ErasureStore } from './ports.ts';

/**
 * LGPD erasure: a buyer's e-mail and name are replaced, in events, enrollments, transactions,
 * subscriptions and quarantined bodies, by a pseudonym drawn at random — nothing derives it from
 * the e-mail, so it cannot be reversed. The records stay, countable for audit, and keep working:
 * a later refund of the same transaction still revokes the (pseudonymous) enrollment, and a
 * replay re-applies what is stored, which no longer holds the e-mail.
 */
export async function eraseStudent(email: string, deps: { erasure: ErasureStore }): Promise<{ pseudonym: string; erased: ErasureCounts }> {
  const pseudonym = `erased-${randomUUID()}@erased.invalid`;
  return { pseudonym, erased: await deps.erasure.erase(email, pseudonym) };
}
