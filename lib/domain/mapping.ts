import * as z from 'zod';

export const TARGET_TYPES = ['course', 'class', 'plan'] as const;

export const TargetSchema = z.object({
  type: z.enum(TARGET_TYPES),
  id: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .regex(/^[^#\s]+$/, 'must not contain spaces or "#"'),
});
export type Target = z.infer<typeof TargetSchema>;

/** What an operator sends for a product: what it sells, and optionally its price and sales page. */
export const MappingInputSchema = z.object({
  targets: z
    .array(TargetSchema)
    .min(1)
    .max(25)
    .refine((targets) => new Set(targets.map(targetKey)).size === targets.length, 'targets must not repeat'),
  salesUrl: z.url({ protocol: /^https$/, hostname: z.regexes.domain }).max(2048).optional(),
  price: z
    .object({
      value: z.number().positive().max(1_000_000_000),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as BRL'),
    })
    .optional(),
});
export type MappingInput = z.infer<typeof MappingInputSchema>;

export type Mapping = MappingInput & {
  productId: string;
  version: number;
  createdAt: number;
  updatedAt: number;
};

export const ProductIdParamSchema = z.string().regex(/^\d{1,20}$/, 'must be a Hotmart product id (digits)');

export function targetKey(target: Target): string {
  return `${target.type}#${target.id}`;
}

/** Order-independent identity of a target list, used to detect that a mapping changed. */
export function targetsKey(targets: readonly Target[]): string {
  return targets.map(targetKey).sort().join('|');
}
