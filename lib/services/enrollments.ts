import { AppError } from '../domain/errors.ts';
import type { EnrollmentStatus } from '../domain/access.ts';
import { enrollmentAccess } from '../domain/access.ts';
import type { Target } from '../domain/mapping.ts';
import type { EnrollmentReader, EnrollmentRecord, EventReader, EventStore, Page, StoredEvent } from './ports.ts';

export type Clock = () => number;

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export type EnrollmentView = {
  email: string;
  target: Target;
  status: EnrollmentStatus;
  hasAccess: boolean;
  accessUntil: string | null;
  subscriberCode: string | null;
  plan: { id: string | null; name: string | null; offerCode: string | null } | null;
  productId: string | null;
  transactions: { transaction: string; status: string }[];
  /** An operator's manual grant (ISO dates; `until` exclusive, null for no end), or null. */
  manual: { grantedAt: string; note: string | null; until: string | null } | null;
  createdAt: string;
  updatedAt: string;
  lastEventId: string | null;
};

/** Access is derived when read — from the transactions and subscriptions behind the enrollment, and the clock. */
export function viewEnrollment(record: EnrollmentRecord, now: number): EnrollmentView {
  const manual = record.manual ?? null;
  const { status, hasAccess, subscription } = enrollmentAccess(record.transactions, record.subscriptions, now, manual);
  const shown = subscription as (typeof record.subscriptions)[number] | undefined;
  return {
    email: record.email,
    target: record.target,
    status,
    hasAccess,
    accessUntil: iso(shown?.accessUntil),
    subscriberCode: shown?.subscriberCode ?? null,
    plan: shown ? { id: shown.planId ?? null, name: shown.planName ?? null, offerCode: shown.offerCode ?? null } : null,
    productId: record.productId,
    transactions: [...record.transactions, ...(shown?.charges ?? [])],
    manual: manual && { grantedAt: iso(manual.grantedAt)!, note: manual.note, until: iso(manual.until) },
    createdAt: iso(record.createdAt)!,
    updatedAt: iso(record.updatedAt)!,
    lastEventId: record.lastEventId,
  };
}

export type ReadDeps = { enrollments: EnrollmentReader; clock?: Clock };

const nowOf = (deps: ReadDeps) => (deps.clock ?? Date.now)();

export async function enrollmentsOfStudent(email: string, deps: ReadDeps): Promise<EnrollmentView[]> {
  const now = nowOf(deps);
  return (await deps.enrollments.byEmail(email)).map((record) => viewEnrollment(record, now));
}

export async function enrollmentsOfSubscriber(subscriberCode: string, deps: ReadDeps): Promise<EnrollmentView[]> {
  const now = nowOf(deps);
  return (await deps.enrollments.bySubscriber(subscriberCode)).map((record) => viewEnrollment(record, now));
}

export async function rosterOfTarget(target: Target, limit: number, cursor: string | undefined, deps: ReadDeps): Promise<Page<EnrollmentView>> {
  const now = nowOf(deps);
  const page = await deps.enrollments.byTarget(target, limit, cursor);
  return { items: page.items.map((record) => viewEnrollment(record, now)), nextCursor: page.nextCursor };
}

export async function storedEvent(id: string, deps: { events: EventStore }): Promise<StoredEvent> {
  const event = await deps.events.get(id);
  if (!event) throw new AppError('EVENT.NOT_FOUND', `no event ${id} was received`);
  return event;
}

/** Every event of one transaction, or of one buyer's e-mail: "what happened to this purchase / this student". */
export function eventsOf(
  query: ({ transaction: string } | { email: string }) & { limit: number; cursor?: string | undefined },
  deps: { eventReader: EventReader },
): Promise<Page<StoredEvent>> {
  return 'transaction' in query
    ? deps.eventReader.byTransaction(query.transaction, query.limit, query.cursor)
    : deps.eventReader.byEmail(query.email, query.limit, query.cursor);
}
