import * as z from 'zod';

/**
 * A student is their e-mail, so every e-mail that serves as a key (webhooks, Hotmart's API, reads,
 * erasure) goes through this one normalisation: trimmed, Unicode NFC (a name typed on a Mac may
 * arrive decomposed, "é" as "e" + U+0301), lower case. Two spellings of one address are one student.
 */
export function normalizeEmail(value: string): string {
  return value.trim().normalize('NFC').toLowerCase();
}

export const EmailSchema = z
  .string()
  .transform(normalizeEmail)
  .pipe(
    z
      .string()
      .min(3)
      .max(254)
      .refine((value) => /^[^\s@]+@[^\s@]+$/.test(value), 'not an e-mail address'),
  );

/** An e-mail as a URL path segment, percent-encoded or not, normalised as above. */
export const EmailPathSegmentSchema = z
  .string()
  .max(762)
  .transform((value) => {
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  })
  .pipe(EmailSchema);
