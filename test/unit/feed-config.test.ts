import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { feedSecretSealerFor } from '../../lib/adapters/secrets/feed-secret-sealer.ts';
import { localDevelopmentSealer } from '../../lib/adapters/secrets/credential-sealer.ts';
import { loadConfig } from '../../lib/config.ts';

const tables = { EVENTS_TABLE: 'events', ENROLLMENTS_TABLE: 'enrollments', MAPPINGS_TABLE: 'mappings', QUARANTINE_TABLE: 'quarantine', RECONCILIATIONS_TABLE: 'runs', SCHOOLS_TABLE: 'schools', FEED_TABLE: 'feed', AUDIT_TABLE: 'audit' };
const inAws = { ...tables, AWS_LAMBDA_FUNCTION_NAME: 'hotmart-enrollments-prod-feed' };

describe('the feed function’s settings', () => {
  it('in AWS: the feed key and the redrive worker; endpoints must be public https (no local allowance)', () => {
    const config = loadConfig({ ...inAws, FEED_SECRETS_KEY_ID: 'alias/x-feed-secrets', FEED_REDRIVE_FUNCTION: 'x-feed-redrive' });
    assert.deepEqual(config.feed, { secretsKeyId: 'alias/x-feed-secrets', redriveFunction: 'x-feed-redrive', local: false });
    assert.notEqual(feedSecretSealerFor(config), localDevelopmentSealer);
    // In AWS without the key: a cold-start error, never the local key.
    assert.throws(() => feedSecretSealerFor(loadConfig(inAws)), /FEED_SECRETS_KEY_ID is not set/);
  });

  it('locally (serverless-offline, tests): http to 127.0.0.1 allowed, the local sealer, whatever key serverless.yml names', () => {
    const offline = loadConfig({ ...inAws, IS_OFFLINE: 'true', FEED_SECRETS_KEY_ID: 'alias/x-feed-secrets', LAMBDA_ENDPOINT: 'http://127.0.0.1:3002' });
    assert.deepEqual(offline.feed, { lambdaEndpoint: 'http://127.0.0.1:3002', local: true });
    assert.equal(feedSecretSealerFor(offline), localDevelopmentSealer);
    assert.equal(loadConfig({ ...tables, DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }).feed.local, true);
  });
});
