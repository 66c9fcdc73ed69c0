import type { MiddlewareObj } from '@middy/core';
import type { ErrorCode } from '../domain/errors.ts';
import { AppError } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { HttpResponse } from './responses.ts';
import { json } from './responses.ts';

/** The one map of error codes to HTTP statuses (the API description lists each status's codes from it). */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  'AUTH.INVALID_TOKEN': 401,
  'REQUEST.TOO_LARGE': 413,
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': 415,
  'REQUEST.INVALID': 400,
  'REQUEST.INVALID_JSON': 400,
  'MAPPING.NOT_FOUND': 404,
  'MAPPING.VERSION_MISMATCH': 412,
  'EVENT.NOT_FOUND': 404,
  'QUARANTINE.NOT_FOUND': 404,
  'RECONCILIATION.NOT_FOUND': 404,
  'RECONCILIATION.IN_PROGRESS': 409,
  'RECONCILIATION.NOT_STARTED': 503,
  'ROUTE.NOT_FOUND': 404,
  'SCHOOL.NOT_FOUND': 404,
  'CREDENTIALS.NOT_FOUND': 404,
  'ENROLLMENT.MANUAL_NOT_FOUND': 404,
  'FEED.NOT_FOUND': 404,
  'FEED.DISABLED': 409,
  'CREDENTIALS.REJECTED': 422,
  'HOTMART.UNREACHABLE': 503,
  'CONFIG.TOKEN_MISSING': 503,
  'STORAGE.UNAVAILABLE': 503,
  'STORAGE.CONTENTION': 503,
};

/** Error names of faults a retry may cure: throttling, capacity, timeouts, credentials not fetched yet. */
const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
  'CredentialsProviderError',
]);

type SdkFault = {
  $fault?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  code?: string;
  CancellationReasons?: { Code?: string }[];
};

/** A transaction cancelled by throttling or a conflicting transaction (not by a condition: the adapters settle those). */
const RETRYABLE_CANCELLATIONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded', 'TransactionConflict']);

/**
 * Faults a retry may cure — throttling, timeouts, DynamoDB's 5xx, an unreachable endpoint — are
 * 503 with retry-after. Any other SDK error (ValidationException, $fault 'client') is a bug of
 * ours: retrying the same request cannot help, so it is a 500 and no one is told to retry.
 */
export function isRetryable(error: Error): boolean {
  const fault = error as Error & SdkFault;
  return (
    RETRYABLE_NAMES.has(error.name) ||
    Boolean(fault.$retryable) ||
    fault.$fault === 'server' ||
    (fault.CancellationReasons ?? []).some((reason) => RETRYABLE_CANCELLATIONS.has(reason.Code ?? '')) ||
    (fault.$metadata?.httpStatusCode ?? 0) >= 500 ||
    /\b(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND)\b/.test(`${fault.code} ${error.message}`) ||
    /socket hang up/i.test(error.message)
  );
}

/** Maps every error to one JSON answer; never a stack trace or an internal message. */
export function toErrorResponse(error: unknown, logger: Logger): HttpResponse {
  if (error instanceof AppError) {
    const status = HTTP_STATUS[error.code];
    if (status >= 500) logger.error('request failed', { code: error.code });
    return json(status, { error: { code: error.code, message: error.message, ...error.details, ...(error.issues ? { issues: error.issues } : {}) } });
  }
  const err = error instanceof Error ? error : new Error(String(error));
  if (isRetryable(err)) {
    logger.error('storage unavailable', { errorName: err.name });
    return json(503, { error: { code: 'STORAGE.UNAVAILABLE', message: 'storage is unavailable; retry later' } }, { 'retry-after': '5' });
  }
  // The message may quote input (e.g. a parser's excerpt): log where it failed, not what it said.
  logger.error('unexpected error', { errorName: err.name, where: err.stack?.split('\n')[1]?.trim() });
  return json(500, { error: { code: 'INTERNAL', message: 'internal error' } });
}

export function httpErrors(logger: Logger): MiddlewareObj {
  return {
    onError: async (request) => {
      request.response = toErrorResponse(request.error, logger);
    },
  };
}
