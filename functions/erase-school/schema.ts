import { SCOPED_TABLES } from '#lib/adapters/dynamodb/school-eraser.ts';
import * as z from 'zod';
import { SchoolIdSchema } from '#lib/domain/school.ts';

const Key = z.record(z.string(), z.union([z.string(), z.number()]));

/** One step of a school's erasure (an asynchronous invocation), or the scheduled sweep ({"sweep": true}). */
export const EraseSchoolEventSchema = z.union([
  z.object({ sweep: z.literal(true) }),
  z.object({
    schoolId: SchoolIdSchema,
    incarnation: z.string().regex(/^[0-9a-z]{10}$/),
    pass: z.object({ startedAt: z.number().int(), deleted: z.number().int().min(0) }).optional(),
    position: z.object({ table: z.number().int().min(0).max(SCOPED_TABLES.length - 1), shard: z.number().int().min(0).max(15), startKey: Key.optional() }).optional(),
  }),
]);
