import type { Page } from './ports.ts';

/** A year, as the audit trail keeps each record (README, "Audit"). */
export const AUDIT_RETENTION_DAYS = 365;

/**
 * What one administrative write changed, as its route describes it (lib/http/audit-routes.ts):
 * never a secret (a token is "set", credentials show their clientId), never a body a replay
 * carried, and no personal data but `email`, the student a manual grant was about.
 */
export type AuditChange = {
  /** `mapping.put`, `school.delete`, … */
  action: string;
  /** The ids the write acted on: productId, offerCode, quarantineId, eventId, runId, pseudonym… */
  ids: Record<string, string>;
  /** The student the action was about (a manual grant), normalised; pseudonymised by the student's erasure. */
  email?: string;
  /** What changed, summarised: the state after (and before, where the route knows it). */
  change: Record<string, unknown>;
};

/** One record of a school's audit trail. */
export type AuditRecord = AuditChange & {
  schoolId: string;
  /** The IAM principal (its ARN) that made the request; "local" where no IAM authoriser runs. */
  by: string;
  /** The route key: `PUT /schools/{schoolId}/mappings/{productId}`. */
  route: string;
  /** Epoch ms. */
  at: number;
};

export type AuditLog = {
  /** Appends a record (kept AUDIT_RETENTION_DAYS from `at`). */
  write(record: AuditRecord): Promise<void>;
  /** A school's records, newest first, page by page; a cursor another list issued is a 400. */
  list(schoolId: string, limit: number, cursor?: string): Promise<Page<AuditRecord>>;
};

/** When a record written at `at` (epoch ms) expires, in epoch seconds (DynamoDB's TTL). */
export const auditExpiry = (at: number) => Math.floor(at / 1000) + AUDIT_RETENTION_DAYS * 86_400;
