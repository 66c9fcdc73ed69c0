import { createHash } from 'node:crypto';
import * as z from 'zod';
import { EmailSchema } from '../email.ts';

/**
 * The field schemas every Hotmart wire format shares — webhooks v2 and v1, the REST API's sales
 * and subscriptions — so a date, a product id or an e-mail reads the same whichever way it came
 * (docs/hotmart.md, "Payloads and quirks").
 */

const MS_IN_SECOND = 1000;
/** Below this a number is a date in seconds (Hotmart's own samples sometimes send 10 digits). */
const SECONDS_CUTOFF = 100_000_000_000;

/** Epoch ms from ms, seconds, a numeric string or an ISO-8601 string. */
export function toEpochMs(value: number | string): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    return Math.round(value < SECONDS_CUTOFF ? value * MS_IN_SECOND : value);
  }
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return toEpochMs(Number(trimmed));
  const parsed = Date.parse(trimmed);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** A date that must be one: refused when it does not read as a date. */
export const EpochMsSchema = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const ms = toEpochMs(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'not a date (epoch ms or ISO-8601)' });
      return z.NEVER;
    }
    return ms;
  });

/** A date that may be missing, null or unreadable: undefined then. */
export const LenientDateSchema = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((value) => (value === null || value === undefined ? undefined : toEpochMs(value)));

/**
 * A product id as every key holds it: its digits without leading zeros ("03412911" and 3412911
 * are one product, "00000" is 0). The one normaliser for webhooks, Hotmart's API and the
 * mappings API, so a mapping always matches its product's purchases.
 */
export const canonicalProductId = (digits: string | number): string => String(digits).replace(/^0+(?=\d)/, '');

/** Product ids are numbers, but strings in CLUB_MODULE_COMPLETED ("00000" in club tests) and at times in the API. */
export const ProductIdSchema = z
  .union([z.number().int().nonnegative(), z.string().trim().regex(/^\d{1,20}$/, 'not a numeric id')])
  .transform(canonicalProductId);

export const IdSchema = z.union([z.number(), z.string()]).transform(String);
export const TextSchema = z.string().max(500);

/** Every e-mail key is normalised in one place (email.ts); re-exported for the readers that import it from here. */
export { EmailSchema };

/** An id derived from what identifies a delivery, so the same (transaction, event) always gives the same id. */
export const derivedId = (prefix: string, transaction: string, event: string): string =>
  `${prefix}-${createHash('sha256').update(`${transaction}|${event}`).digest('hex').slice(0, 32)}`;

export function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.')}: ${issue.message}`)
    .join('; ');
}

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
