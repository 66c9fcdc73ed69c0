import * as z from 'zod';

/** A school id is a slug (issue 12's contract). */
export const SchoolPathSchema = z.strictObject({ schoolId: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a slug: a-z, 0-9 and -, 2 to 63 characters') });

/** As Hotmart's Credentials page shows them (authentication parameters); `basic` defaults to Base64(id:secret). */
export const CredentialsBodySchema = z.strictObject({
  clientId: z.string().trim().min(1).max(200),
  clientSecret: z.string().trim().min(1).max(500),
  basic: z.string().trim().min(1).max(1000).optional(),
  sandbox: z.boolean().default(false),
});

/** The stored credentials as shown (never the secret): checked with Hotmart at `verifiedAt`. */
export const CredentialsViewSchema = z.strictObject({ clientId: z.string(), sandbox: z.boolean(), verifiedAt: z.iso.datetime() });
