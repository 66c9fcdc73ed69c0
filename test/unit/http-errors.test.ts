import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '#lib/domain/errors.ts';
import { toErrorResponse } from '#lib/http/errors.ts';
import type { Logger } from '#lib/logger.ts';

const sdkError = (name: string, fields: Record<string, unknown>) => Object.assign(new Error(`${name}: the provided key element does not match the schema`), { name, ...fields });

function answer(error: unknown) {
  const logged: { level: string; message: string }[] = [];
  const record = (level: string) => (message: string) => void logged.push({ level, message });
  const logger: Logger = { debug: record('DEBUG'), info: record('INFO'), warn: record('WARN'), error: record('ERROR') };
  const response = toErrorResponse(error, logger);
  return { status: response.statusCode, headers: response.headers ?? {}, body: JSON.parse(String(response.body)), logged };
}

describe('SDK errors as HTTP answers', () => {
  it('answers 503 with retry-after only to faults a retry may cure', () => {
    const retryable = [
      sdkError('ThrottlingException', { $fault: 'client', $metadata: { httpStatusCode: 400 }, $retryable: { throttling: true } }),
      sdkError('ProvisionedThroughputExceededException', { $fault: 'client', $metadata: { httpStatusCode: 400 } }),
      sdkError('InternalServerError', { $fault: 'server', $metadata: { httpStatusCode: 500 } }),
      sdkError('UnknownError', { $metadata: { httpStatusCode: 503 } }),
      sdkError('TimeoutError', { $metadata: {} }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED', $metadata: { attempts: 3 } }),
      sdkError('TransactionCanceledException', { $fault: 'client', $metadata: { httpStatusCode: 400 }, CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }] }),
    ];
    for (const error of retryable) {
      const { status, headers, body } = answer(error);
      assert.equal(status, 503, error.name);
      assert.equal(body.error.code, 'STORAGE.UNAVAILABLE', error.name);
      assert.equal(headers['retry-after'], '5', error.name);
    }
  });

  it('answers a non-retryable SDK error (a bug of ours) with a generic 500, logged as an error, never telling the caller to retry', () => {
    const bugs = [
      sdkError('ValidationException', { $fault: 'client', $metadata: { httpStatusCode: 400 } }),
      sdkError('ResourceNotFoundException', { $fault: 'client', $metadata: { httpStatusCode: 400 } }),
      sdkError('TransactionCanceledException', { $fault: 'client', $metadata: { httpStatusCode: 400 }, CancellationReasons: [{ Code: 'ValidationError' }] }),
    ];
    for (const error of bugs) {
      const { status, headers, body, logged } = answer(error);
      assert.equal(status, 500, error.name);
      assert.deepEqual(body, { error: { code: 'INTERNAL', message: 'internal error' } }, error.name);
      assert.equal(headers['retry-after'], undefined, error.name);
      assert.deepEqual(logged.map((l) => l.level), ['ERROR'], error.name);
    }
  });
});

describe('refusals as HTTP answers', () => {
  it('carries the safe details its code chose beside the message, e.g. the run that holds the reconciliation lease', () => {
    const run = { id: 'r-20261128T120000123Z-1a2b3c4d', status: 'running' };
    const { status, body } = answer(new AppError('RECONCILIATION.IN_PROGRESS', `run ${run.id} is in progress; retry when it ends`, undefined, { run }));
    assert.equal(status, 409);
    assert.deepEqual(body, { error: { code: 'RECONCILIATION.IN_PROGRESS', message: `run ${run.id} is in progress; retry when it ends`, run } });
  });
});
