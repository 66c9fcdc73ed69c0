import type { PepperSource } from '../../services/ports.ts';

/**
 * The stage's pepper: the key of the webhook tokens' HMAC (lib/domain/hottok-hash.ts). In AWS a
 * Secrets Manager secret CloudFormation generates (serverless.yml, PepperSecret), read once per
 * container; locally LOCAL_DEVELOPMENT_PEPPER, which is no secret and is never used in AWS.
 */
export type { PepperSource };

/** Local runs and tests only (serverless-offline, DynamoDB Local): a fixed, public value. */
export const LOCAL_DEVELOPMENT_PEPPER: Buffer = Buffer.from('local-development-pepper: not a secret, never used in AWS', 'utf8');

export const localDevelopmentPepperSource: PepperSource = async () => LOCAL_DEVELOPMENT_PEPPER;

/** A pepper shorter than this is refused: it would be a misconfigured secret, not a key. */
const MIN_PEPPER_BYTES = 32;

export class PepperError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PepperError';
  }
}

/**
 * Reads the secret `secretArn` once per container and keeps it; a failed read is not kept, so the
 * next request asks again (and is answered 503 meanwhile). The client is imported on first use
 * from Lambda's runtime (not bundled), so no cold start parses it. Errors name the secret, never
 * its value.
 */
export function secretsManagerPepperSource(options: { secretArn: string; region: string }): PepperSource {
  let pending: Promise<Buffer> | undefined;
  const read = async (): Promise<Buffer> => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region: options.region, maxAttempts: 3 });
    try {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: options.secretArn }));
      const pepper = Buffer.from(SecretString ?? '', 'utf8');
      if (pepper.length < MIN_PEPPER_BYTES) throw new PepperError(`secret ${options.secretArn} holds no pepper of at least ${MIN_PEPPER_BYTES} bytes`);
      return pepper;
    } finally {
      client.destroy();
    }
  };
  return () => {
    pending ??= read().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** In AWS the secret (HOTTOK_PEPPER_SECRET_ARN); in a local run the local stand-in; in AWS without a secret, a cold-start error. */
export function pepperSourceFor(config: { region: string; secrets: { pepperSecretArn?: string; localStandIns: boolean } }): PepperSource {
  if (config.secrets.pepperSecretArn) return secretsManagerPepperSource({ secretArn: config.secrets.pepperSecretArn, region: config.region });
  if (config.secrets.localStandIns) return localDevelopmentPepperSource;
  throw new PepperError('HOTTOK_PEPPER_SECRET_ARN is not set: the webhook tokens cannot be hashed (serverless.yml, PepperSecret)');
}
