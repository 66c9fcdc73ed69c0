import * as z from 'zod';

/**
 * Hotmart's Basic token is Base64 of `client_id:client_secret`
 * (docs/hotmart.md, "REST API: credentials and token"): the default when none is given; a pasted
 * "Basic …" prefix is dropped.
 */
export function hotmartBasic(clientId: string, clientSecret: string, basic?: string): string {
  return basic?.replace(/^Basic\s+/i, '').trim() || Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
}

/** What a school's sealed credentials hold once opened (lib/services/school-credentials.ts seals it). */
export const SealedCredentialsSchema = z.strictObject({ clientId: z.string().min(1), clientSecret: z.string().min(1), basic: z.string().min(1) });
export type SealedCredentials = z.infer<typeof SealedCredentialsSchema>;
