import * as z from 'zod';
import type { Config } from '../../config.ts';
import type { HotmartCredentials } from './api-client.ts';

/** How long fetched credentials are trusted before SSM is asked again, so a new secret needs no redeploy. */
const REFRESH_MS = 5 * 60 * 1000;

/**
 * The one JSON value of the SecureString parameter, as an operator pastes it from Hotmart's
 * Credentials page: `{"clientId": "…", "clientSecret": "…", "basic": "…"}` (snake_case accepted).
 */
const StoredCredentials = z
  .object({
    clientId: z.string().trim().min(1).optional(),
    client_id: z.string().trim().min(1).optional(),
    clientSecret: z.string().trim().min(1).optional(),
    client_secret: z.string().trim().min(1).optional(),
    basic: z.string().trim().optional(),
  })
  .transform((c) => ({ clientId: c.clientId ?? c.client_id, clientSecret: c.clientSecret ?? c.client_secret, basic: c.basic }));

export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** Hotmart's Basic token is Base64 of `client_id:client_secret`; a pasted "Basic …" prefix is dropped. */
function complete(found: { clientId?: string | undefined; clientSecret?: string | undefined; basic?: string | undefined }, where: string): HotmartCredentials {
  if (!found.clientId || !found.clientSecret) throw new CredentialsError(`Hotmart API credentials are incomplete in ${where}: client id and client secret are required`);
  const basic = found.basic?.replace(/^Basic\s+/i, '') || Buffer.from(`${found.clientId}:${found.clientSecret}`).toString('base64');
  return { clientId: found.clientId, clientSecret: found.clientSecret, basic };
}

export type CredentialSource = () => Promise<HotmartCredentials>;

/**
 * Where the runner's Hotmart API credentials come from: in AWS, one SecureString parameter read
 * with decryption on first use (never a Lambda environment variable, never stored, never logged);
 * locally, HOTMART_CLIENT_ID / HOTMART_CLIENT_SECRET / HOTMART_BASIC. Error messages name what
 * is missing, never a value.
 */
export function hotmartCredentialSource(config: Pick<Config, 'region' | 'reconciliation'>): CredentialSource {
  const { credentialsParameter, localCredentials } = config.reconciliation;
  if (!credentialsParameter) {
    return async () => {
      if (!localCredentials?.clientId && !localCredentials?.clientSecret) {
        throw new CredentialsError('Hotmart API credentials are not configured: set HOTMART_CLIENT_ID and HOTMART_CLIENT_SECRET (README, "Reconciliation")');
      }
      return complete(localCredentials, 'the environment');
    };
  }
  let cached: { credentials: HotmartCredentials; at: number } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < REFRESH_MS) return cached.credentials;
    // Imported on first use from Lambda's runtime (not bundled), like the webhook's token source.
    const { SSMClient, GetParameterCommand, ParameterNotFound } = await import('@aws-sdk/client-ssm');
    const client = new SSMClient({ region: config.region, maxAttempts: 3 });
    try {
      const { Parameter } = await client.send(new GetParameterCommand({ Name: credentialsParameter, WithDecryption: true }));
      let value: unknown;
      try {
        value = JSON.parse(Parameter?.Value ?? '');
      } catch {
        throw new CredentialsError(`SSM parameter ${credentialsParameter} is not JSON: expected {"clientId","clientSecret","basic"}`);
      }
      const parsed = StoredCredentials.safeParse(value);
      if (!parsed.success) throw new CredentialsError(`SSM parameter ${credentialsParameter} must hold {"clientId","clientSecret","basic"} as strings`);
      cached = { credentials: complete(parsed.data, `SSM parameter ${credentialsParameter}`), at: Date.now() };
      return cached.credentials;
    } catch (error) {
      if (error instanceof ParameterNotFound) throw new CredentialsError(`SSM parameter ${credentialsParameter} does not exist (README, "Reconciliation")`);
      throw error;
    } finally {
      client.destroy();
    }
  };
}
