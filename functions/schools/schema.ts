import * as z from 'zod';
import { SchoolIdSchema } from '#lib/domain/school.ts';

export const SchoolPathSchema = z.strictObject({ schoolId: SchoolIdSchema });

export const SchoolInputSchema = z.strictObject({ name: z.string().trim().min(1).max(200) });

/** The token Hotmart shows in its Webhook tool (the configuration's token). */
export const TokenInputSchema = z.strictObject({ token: z.string().min(1).max(512) });

export const SchoolListSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});

const iso = () => z.iso.datetime();

/** A school as the API shows it (routes.ts schoolView): never its incarnation or token hashes. */
export const SchoolViewSchema = z.strictObject({ schoolId: z.string(), name: z.string(), createdAt: iso(), updatedAt: iso() });

const answerCounts = z.strictObject({ processed: z.number().int(), duplicate: z.number().int(), unmapped: z.number().int(), ignored: z.number().int(), test: z.number().int(), quarantined: z.number().int() });

/** The school's status (lib/domain/school-status.ts schoolStatus; README, "The school's status"). */
export const SchoolStatusSchema = z.strictObject({
  token: z.strictObject({ configured: z.boolean(), previousAccepted: z.boolean() }),
  credentials: z.strictObject({ configured: z.boolean(), verifiedAt: iso().nullable(), lastError: z.string().nullable() }),
  webhook: z.strictObject({ lastDeliveryAt: iso().nullable(), last24h: answerCounts }),
  unmapped: z.array(z.strictObject({ productId: z.string(), waiting: z.number().int(), oldestAt: iso() })),
  reconciliation: z.strictObject({
    lastRunId: z.string().nullable(),
    lastStatus: z.enum(['running', 'succeeded', 'failed', 'abandoned']).nullable(),
    lastFinishedAt: iso().nullable(),
    lostWebhooksFound7d: z.number().int(),
  }),
  mappings: z.strictObject({ products: z.number().int(), offers: z.number().int() }),
});

export const SchoolWithStatusSchema = z.strictObject({ ...SchoolViewSchema.shape, status: SchoolStatusSchema });

export const SchoolDeletedSchema = z.strictObject({ schoolId: z.string(), status: z.literal('deleted') });
