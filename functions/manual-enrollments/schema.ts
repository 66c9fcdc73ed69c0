import * as z from 'zod';
import { EmailPathSegmentSchema } from '#lib/domain/email.ts';
import { TARGET_TYPES, TargetIdSchema } from '#lib/domain/mapping.ts';

/** PUT|DELETE /schools/{schoolId}/students/{email}/enrollments/{targetType}/{targetId} */
export const ManualEnrollmentPathSchema = z.strictObject({
  email: EmailPathSegmentSchema,
  targetType: z.enum(TARGET_TYPES),
  targetId: TargetIdSchema,
});

/** The grant: a note (it may hold personal data: erasing the student removes it) and an exclusive end, both optional. */
export const ManualGrantSchema = z.strictObject({
  note: z.string().trim().min(1).max(500).optional(),
  until: z.iso
    .datetime({ offset: true })
    .transform((value) => Date.parse(value))
    .optional(),
});

export { EnrollmentViewSchema } from '#lib/http/view-schemas.ts';
