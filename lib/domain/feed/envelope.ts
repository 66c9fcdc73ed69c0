import type { FeedCause, FeedEventType } from './event-type.ts';
import { eventTypeOf } from './event-type.ts';
import type { FeedEnrollmentView, FeedState } from './state.ts';
import { feedStateOf } from './state.ts';

/** The envelope's version: a change of its shape is a new date. */
export const FEED_API_VERSION = '2026-12-01';

export type PreviousState = Pick<FeedState, 'status' | 'hasAccess' | 'accessUntil'>;

/** One feed event, exactly the envelope; `E` is the item GET …/enrollments returns. */
export type FeedEvent<E extends FeedEnrollmentView = FeedEnrollmentView> = {
  id: string;
  type: FeedEventType;
  apiVersion: typeof FEED_API_VERSION;
  createdAt: string;
  schoolId: string;
  sequence: number;
  enrollment: E;
  previous: PreviousState | null;
  cause: FeedCause;
};

/** A ping: signed like any event, never retried, never in the pull, no sequence. */
export type PingEvent = { id: string; type: 'ping'; apiVersion: typeof FEED_API_VERSION; createdAt: string; schoolId: string };

const EVENT_KEYS = ['id', 'type', 'apiVersion', 'createdAt', 'schoolId', 'sequence', 'enrollment', 'previous', 'cause'];
const PREVIOUS_KEYS = ['status', 'hasAccess', 'accessUntil'];
const CAUSE_KEYS = new Set(['source', 'eventId', 'hotmartEvent', 'transaction']);
/** Personal data the enrollment view never holds; a key like these anywhere in an event is a defect. */
const PERSONAL_KEY = /^(cpf|cnpj|doc|document|document_?type|ip|buyer_?ip)$|phone|address|zip_?code/i;

function personalKeys(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((inner, i) => personalKeys(inner, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [...(PERSONAL_KEY.test(key) ? [`${path}.${key}`] : []), ...personalKeys(inner, `${path}.${key}`)]);
}

const sameKeys = (value: object, keys: readonly string[]) => Object.keys(value).join() === keys.join();

/** Throws when an event is not exactly the documented envelope or carries personal data: it is never sent. */
export function assertEnvelope(event: FeedEvent): void {
  const faults = [
    ...(sameKeys(event, EVENT_KEYS) ? [] : [`keys ${Object.keys(event).join()}`]),
    ...(event.previous === null || sameKeys(event.previous, PREVIOUS_KEYS) ? [] : [`previous keys ${Object.keys(event.previous).join()}`]),
    ...Object.keys(event.cause).filter((key) => !CAUSE_KEYS.has(key)).map((key) => `cause.${key}`),
    ...personalKeys(event, 'event'),
  ];
  if (faults.length > 0) throw new Error(`not a feed event envelope: ${faults.join('; ')}`);
}

export type FeedEventInput<E extends FeedEnrollmentView> = {
  id: string;
  /** Epoch ms of the emission. */
  createdAt: number;
  schoolId: string;
  sequence: number;
  enrollment: E;
  previous: FeedState | null;
  cause: FeedCause;
};

/** The event for a change from `previous` to the enrollment's current state; throws when nothing changed. */
export function feedEvent<E extends FeedEnrollmentView>(input: FeedEventInput<E>): FeedEvent<E> {
  const { id, createdAt, schoolId, sequence, enrollment, previous, cause } = input;
  if (!Number.isInteger(sequence) || sequence < 1) throw new Error(`a feed sequence starts at 1: ${sequence}`);
  const type = eventTypeOf(previous, feedStateOf(enrollment), cause);
  if (type === null) throw new Error('no feed event: the feed state did not change');
  const event: FeedEvent<E> = {
    id,
    type,
    apiVersion: FEED_API_VERSION,
    createdAt: new Date(createdAt).toISOString(),
    schoolId,
    sequence,
    enrollment,
    previous: previous && { status: previous.status, hasAccess: previous.hasAccess, accessUntil: previous.accessUntil },
    cause: Object.fromEntries([...CAUSE_KEYS].filter((key) => cause[key as keyof FeedCause] !== undefined).map((key) => [key, cause[key as keyof FeedCause]])) as FeedCause,
  };
  assertEnvelope(event);
  return event;
}

export function pingEvent(input: { id: string; createdAt: number; schoolId: string }): PingEvent {
  return { id: input.id, type: 'ping', apiVersion: FEED_API_VERSION, createdAt: new Date(input.createdAt).toISOString(), schoolId: input.schoolId };
}
