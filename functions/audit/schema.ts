import * as z from 'zod';
import { SchoolIdSchema } from '#lib/domain/school.ts';

/** GET /schools/{schoolId}/audit: the school id only (the school need not exist any more). */
export const AuditPathSchema = z.strictObject({ schoolId: SchoolIdSchema });

export const AuditListSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});

/** One record as GET …/audit shows it (routes.ts view): who, when, which route, what it changed. No secret, no body. */
export const AuditRecordViewSchema = z.strictObject({
  at: z.iso.datetime(),
  /** The IAM principal's ARN; "local" where no IAM authoriser runs. */
  by: z.string(),
  route: z.string(),
  action: z.string(),
  ids: z.record(z.string(), z.string()),
  /** The student a manual grant was about (pseudonymised by the student's erasure). */
  email: z.string().optional(),
  change: z.record(z.string(), z.unknown()),
});
