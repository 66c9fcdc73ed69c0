import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signRequest } from '../../cli/sigv4.ts';

// The AWS SigV4 test suite's recorded requests (docs.aws.amazon.com, "Signature Version 4 test suite"):
// credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 2015-08-30T12:36:00Z, us-east-1, service `service`.
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const options = { credentials, region: 'us-east-1', service: 'service', signingDate: new Date('2015-08-30T12:36:00Z') };

describe('the CLI’s SigV4 signature', () => {
  it('is the recorded one of the suite’s get-vanilla request', async () => {
    const headers = await signRequest({ method: 'GET', url: new URL('https://example.amazonaws.com/'), headers: {} }, options);
    assert.equal(headers['x-amz-date'], '20150830T123600Z');
    assert.equal(
      headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('is the recorded one of the suite’s get-vanilla-query-order-key-case request (query parameters sorted)', async () => {
    const headers = await signRequest({ method: 'GET', url: new URL('https://example.amazonaws.com/?Param2=value2&Param1=value1'), headers: {} }, options);
    assert.match(headers.authorization!, /Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/);
  });

  it('sends the session token of temporary credentials', async () => {
    const headers = await signRequest({ method: 'GET', url: new URL('https://example.amazonaws.com/'), headers: {} }, { ...options, credentials: { ...credentials, sessionToken: 'session-token-example' } });
    assert.equal(headers['x-amz-security-token'], 'session-token-example');
    assert.match(headers.authorization!, /SignedHeaders=host;x-amz-date;x-amz-security-token,/);
  });
});
