import { AppError } from '../domain/errors.ts';
import { enrollmentStatus } from '../domain/enrollment-rules.ts';
import type { Target } from '../domain/mapping.ts';
import type { EnrollmentReader, EnrollmentRecord, EventStore, Page, StoredEvent } from './ports.ts';

export type EnrollmentView = Omit<EnrollmentRecord, 'createdAt' | 'updatedAt' | 'lastEventId'> & {
  status: ReturnType<typeof enrollmentStatus>;
  hasAccess: boolean;
  createdAt: string;
  updatedAt: string;
  lastEventId: string;
};

/** Access is derived when read, from the transactions behind the enrollment. */
export function viewEnrollment(record: EnrollmentRecord): EnrollmentView {
  const status = enrollmentStatus(record.transactions.map((t) => t.status));
  return {
    ...record,
    status,
    hasAccess: status === 'active',
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

export async function enrollmentsOfStudent(email: string, deps: { enrollments: EnrollmentReader }): Promise<EnrollmentView[]> {
  return (await deps.enrollments.byEmail(email)).map(viewEnrollment);
}

export async function rosterOfTarget(
  target: Target,
  limit: number,
  cursor: string | undefined,
  deps: { enrollments: EnrollmentReader },
): Promise<Page<EnrollmentView>> {
  const page = await deps.enrollments.byTarget(target, limit, cursor);
  return { items: page.items.map(viewEnrollment), nextCursor: page.nextCursor };
}

export async function storedEvent(id: string, deps: { events: EventStore }): Promise<StoredEvent> {
  const event = await deps.events.get(id);
  if (!event) throw new AppError('EVENT.NOT_FOUND', `no event ${id} was received`);
  return event;
}
