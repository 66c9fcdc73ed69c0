import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commitEntries } from '#lib/adapters/dynamodb/commit-items.ts';
import { schoolKeys } from '#lib/adapters/dynamodb/keys.ts';
import { FeedCauseSchema } from '#lib/domain/feed/event-type.ts';
import { planEvent } from '#lib/domain/plan-event.ts';
import { domainEvent, mapped } from '../helpers/domain.ts';

const tables = { events: 'events', enrollments: 'enrollments', mappings: 'mappings' };
const school = schoolKeys('school-a#0123456789');
const event = domainEvent('PURCHASE_APPROVED');

function causesOf(mode: 'new' | 'parked' | 'replay', source?: 'reconciliation' | 'replay') {
  const entries = commitEntries(event, planEvent(event, { mappings: mapped, tx: null }), { receivedAt: 1, mode, source, now: 2, expiresAt: 3, tables, school });
  return entries.flatMap(({ item }) => (item.Update?.Key?.sk?.toString().startsWith('TARGET#') ? [item.Update.ExpressionAttributeValues![':cause']] : []));
}

describe('lastCause: each enrollment write says who made it, in the write it already does', () => {
  it('a delivery is webhook, a parked purchase applied is mapping, a replay is replay, a reconciliation says so; each with the event, its name and transaction', () => {
    const expected = (source: string) => [{ source, eventId: 'e-PURCHASE_APPROVED', hotmartEvent: 'PURCHASE_APPROVED', transaction: 'HP1' }];
    assert.deepEqual(causesOf('new'), expected('webhook'));
    assert.deepEqual(causesOf('parked'), expected('mapping'));
    assert.deepEqual(causesOf('replay'), expected('replay'));
    assert.deepEqual(causesOf('new', 'reconciliation'), expected('reconciliation'));
    assert.deepEqual(causesOf('new', 'replay'), expected('replay'), 'a quarantined delivery replayed');
    for (const cause of causesOf('new')) FeedCauseSchema.parse(cause);
  });
});
