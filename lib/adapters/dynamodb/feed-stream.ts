import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { FeedCauseSchema } from '../../domain/feed/event-type.ts';
import type { EnrollmentChange } from '../../services/feed-capture-ports.ts';
import { toRecord } from './enrollment-reader.ts';
import { ENROLLMENT_SORT_PREFIX } from './keys.ts';

/**
 * The `lastCause` a student's erasure puts on the enrollment it moves to the pseudonym: the move
 * announces nothing (the feed state moved with it, sequence and all). Any later write replaces it.
 */
export const ERASURE_MOVE_CAUSE = { source: 'erasure' } as const;

const ENROLLMENT_PARTITION = /^S#([^#]+#[^#]+)#STUDENT#/;

/**
 * The enrollment change a stream record of the enrollments table is, or null for what the feed
 * ignores: a REMOVE (a removal announces itself by the write before it), another kind of item
 * (transactions, subscriptions, erasures in progress), an erasure's move. Throws on an
 * enrollment it cannot read (a poison record).
 */
export function enrollmentChangeOf(record: DynamoDBRecord): EnrollmentChange | null {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return null;
  const image = record.dynamodb?.NewImage;
  if (!image) return null;
  const item = unmarshall(image as Record<string, AttributeValue>);
  const partition = typeof item.pk === 'string' ? ENROLLMENT_PARTITION.exec(item.pk) : null;
  if (!partition || typeof item.sk !== 'string' || !item.sk.startsWith(ENROLLMENT_SORT_PREFIX)) return null;
  if (item.lastCause?.source === ERASURE_MOVE_CAUSE.source) return null;
  // An item written before causes were recorded: its last event, as a delivery.
  const cause = item.lastCause === undefined ? { source: 'webhook' as const, ...(item.lastEventId ? { eventId: String(item.lastEventId) } : {}) } : FeedCauseSchema.parse(item.lastCause);
  const enrollment = toRecord(item);
  if (typeof enrollment.email !== 'string' || !enrollment.target.type || !enrollment.target.id) throw new Error('not an enrollment item');
  return { scope: partition[1]!, record: enrollment, cause };
}
