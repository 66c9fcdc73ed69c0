/**
 * Faults with a stable machine code. Expected outcomes (duplicate, unmapped, …) are values,
 * not errors; these are for requests we refuse or cannot serve. lib/http/errors.ts maps each
 * code to an HTTP status in one place.
 */
export type ErrorCode =
  | 'AUTH.INVALID_TOKEN'
  | 'REQUEST.TOO_LARGE'
  | 'REQUEST.UNSUPPORTED_MEDIA_TYPE'
  | 'REQUEST.INVALID'
  | 'REQUEST.INVALID_JSON'
  | 'MAPPING.NOT_FOUND'
  | 'MAPPING.VERSION_MISMATCH'
  | 'EVENT.NOT_FOUND'
  | 'QUARANTINE.NOT_FOUND'
  | 'RECONCILIATION.NOT_FOUND'
  | 'RECONCILIATION.IN_PROGRESS'
  | 'RECONCILIATION.NOT_STARTED'
  | 'ROUTE.NOT_FOUND'
  | 'SCHOOL.NOT_FOUND'
  | 'CREDENTIALS.NOT_FOUND'
  | 'ENROLLMENT.MANUAL_NOT_FOUND'
  | 'FEED.NOT_FOUND'
  | 'FEED.DISABLED'
  | 'CREDENTIALS.REJECTED'
  | 'HOTMART.UNREACHABLE'
  | 'CONFIG.TOKEN_MISSING'
  | 'STORAGE.UNAVAILABLE'
  | 'STORAGE.CONTENTION';

export type FieldIssue = { field: string; message: string };

/**
 * What an answer must carry beside the message, chosen by the code that throws (e.g. the run that
 * holds the reconciliation lease): safe to show the caller, never an internal message or a secret.
 */
export type SafeDetails = Record<string, unknown>;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
    readonly details?: SafeDetails,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
