import { AppError } from '../../domain/errors.ts';
import type { Target } from '../../domain/mapping.ts';
import { targetKey } from '../../domain/mapping.ts';

/** Every table key of the service, in one place. */
export const keys = {
  event: (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' }),
  businessKey: (transaction: string, event: string) => ({ pk: `TXEVENT#${transaction}#${event}`, sk: 'TXEVENT' }),
  parked: (productId: string, creationDate: number, id: string) => ({
    pk: `PARKED#${productId}`,
    sk: `${String(creationDate).padStart(15, '0')}#${id}`,
  }),
  parkedPartition: (productId: string) => `PARKED#${productId}`,
  transaction: (transaction: string) => ({ pk: `TX#${transaction}`, sk: 'TX' }),
  enrollment: (email: string, target: Target) => ({ pk: `STUDENT#${email}`, sk: `TARGET#${targetKey(target)}` }),
  studentPartition: (email: string) => `STUDENT#${email}`,
  subscription: (subscriberCode: string) => ({ pk: `SUB#${subscriberCode}`, sk: 'SUB' }),
  mapping: (productId: string, offerCode?: string) => ({
    pk: `PRODUCT#${productId}`,
    sk: offerCode === undefined ? 'MAPPING' : `OFFER#${offerCode}`,
  }),
  productPartition: (productId: string) => `PRODUCT#${productId}`,
  quarantine: (id: string) => ({ pk: id }),
  /** An erasure in progress: the pseudonym a re-run reuses, keyed by the SHA-256 of the normalised e-mail. */
  erasure: (emailKey: string) => ({ pk: `ERASURE#${emailKey}`, sk: 'ERASURE' }),
  run: (id: string) => ({ pk: 'RUN', sk: id }),
  runPartition: 'RUN',
  lease: () => ({ pk: 'LEASE', sk: 'reconciliation' }),
};

/** Enrollment attribute holding one transaction's status. */
export const transactionAttribute = (transaction: string) => `tx:${transaction}`;
export const TRANSACTION_ATTRIBUTE_PREFIX = 'tx:';
/** Enrollment attribute mirroring one subscription's state. */
export const subscriptionAttribute = (subscriberCode: string) => `sub:${subscriberCode}`;
export const SUBSCRIPTION_ATTRIBUTE_PREFIX = 'sub:';

export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

/** The start key a page cursor stands for; a cursor this service did not issue is a 400. */
export function startKeyOf(cursor: string | undefined): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor);
  if (!key) throw new AppError('REQUEST.INVALID', 'invalid cursor', [{ field: 'cursor', message: 'not a cursor issued by this API' }]);
  return key;
}

function decodeCursor(cursor: string): Record<string, string> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const entries = Object.entries(value);
    if (entries.length === 0 || entries.length > 4 || entries.some(([, v]) => typeof v !== 'string')) return undefined;
    return value as Record<string, string>;
  } catch {
    return undefined;
  }
}
