import type { MiddlewareObj } from '@middy/core';
import type { ErrorCode } from '../domain/errors.ts';
import { AppError } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { HttpResponse } from './responses.ts';
import { json } from './responses.ts';

const HTTP_STATUS: Record<ErrorCode, number> = {
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
  'CONFIG.TOKEN_MISSING': 503,
  'STORAGE.UNAVAILABLE': 503,
  'STORAGE.CONTENTION': 503,
};

/** AWS SDK faults (throttling, timeouts, unreachable endpoint): a retry may succeed. */
function isTransient(error: Error): boolean {
  return (
    '$metadata' in error ||
    ['TimeoutError', 'AbortError', 'RequestTimeout', 'CredentialsProviderError'].includes(error.name) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EAI_AGAIN|socket hang up/i.test(`${(error as { code?: string }).code} ${error.message}`)
  );
}

/** Maps every error to one JSON answer; never a stack trace or an internal message. */
export function toErrorResponse(error: unknown, logger: Logger): HttpResponse {
  if (error instanceof AppError) {
    const status = HTTP_STATUS[error.code];
    if (status >= 500) logger.error('request failed', { code: error.code });
    return json(status, { error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } });
  }
  const err = error instanceof Error ? error : new Error(String(error));
  if (isTransient(err)) {
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
