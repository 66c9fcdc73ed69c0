import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../lib/config.ts';

const tables = { EVENTS_TABLE: 'events', ENROLLMENTS_TABLE: 'enrollments', MAPPINGS_TABLE: 'mappings', QUARANTINE_TABLE: 'quarantine', RECONCILIATIONS_TABLE: 'runs', SCHOOLS_TABLE: 'schools', FEED_TABLE: 'feed', AUDIT_TABLE: 'audit' };

describe('the configuration, read from the environment once', () => {
  it('reads the log level, in any case, and falls back to INFO when it is absent or unknown', () => {
    assert.equal(loadConfig({ ...tables, LOG_LEVEL: 'warn' }).logLevel, 'WARN');
    assert.equal(loadConfig({ ...tables, LOG_LEVEL: 'SILENT' }).logLevel, 'SILENT');
    assert.equal(loadConfig({ ...tables }).logLevel, 'INFO');
    assert.equal(loadConfig({ ...tables, LOG_LEVEL: 'loud' }).logLevel, 'INFO');
  });

  it('names every missing or invalid variable, and never its value', () => {
    assert.throws(() => loadConfig({ EVENTS_TABLE: 'events', DYNAMODB_REQUEST_TIMEOUT_MS: 'soon' }), (error: Error) => {
      assert.match(error.message, /^invalid configuration: /);
      for (const name of ['ENROLLMENTS_TABLE', 'MAPPINGS_TABLE', 'QUARANTINE_TABLE', 'RECONCILIATIONS_TABLE', 'SCHOOLS_TABLE', 'FEED_TABLE', 'DYNAMODB_REQUEST_TIMEOUT_MS']) assert.ok(error.message.includes(name), name);
      assert.ok(!error.message.includes('soon'));
      return true;
    });
  });

  it('builds the shape the code reads', () => {
    const config = loadConfig({ ...tables, AWS_REGION: 'sa-east-1', RECONCILE_LEASE_SECONDS: '60', SCHOOL_CACHE_TTL_MS: '250', LAMBDA_ENDPOINT: 'http://127.0.0.1:3002' });
    assert.deepEqual(config.tables, { events: 'events', enrollments: 'enrollments', mappings: 'mappings', quarantine: 'quarantine', reconciliations: 'runs', schools: 'schools', feed: 'feed', audit: 'audit' });
    assert.equal(config.region, 'sa-east-1');
    assert.equal(config.schoolCacheTtlMs, 250);
    assert.equal(loadConfig(tables).schoolCacheTtlMs, 5000);
    assert.equal(config.reconciliation.leaseMs, 60_000);
    assert.equal(config.parked.lambdaEndpoint, 'http://127.0.0.1:3002');
  });
});
