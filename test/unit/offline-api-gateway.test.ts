import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayErrorResponse } from '../../scripts/local/offline-api-gateway.mjs';

// serverless-offline's own error class for an invocation past the function's timeout.
class LambdaTimeoutError extends Error {}

describe('the local stack answers a failed invocation as API Gateway does', () => {
  it('a function that threw or could not load: 500 Internal Server Error', () => {
    const answer = gatewayErrorResponse(new Error('invalid configuration: DYNAMODB_REQUEST_TIMEOUT_MS'));
    assert.equal(answer.statusCode, 500);
    assert.deepEqual(JSON.parse(answer.body), { message: 'Internal Server Error' });
  });

  it('a function past its timeout: 503 Service Unavailable, never a 2xx', () => {
    const answer = gatewayErrorResponse(new LambdaTimeoutError('[504] - Lambda timeout.'));
    assert.equal(answer.statusCode, 503);
    assert.deepEqual(JSON.parse(answer.body), { message: 'Service Unavailable' });
  });

  it('says nothing of the error to the caller', () => {
    assert.ok(!gatewayErrorResponse(new Error('secret detail at /var/task')).body.includes('secret'));
  });
});
