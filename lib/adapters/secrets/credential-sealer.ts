import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { CredentialSealer } from '../../services/credential-ports.ts';

/**
 * The CredentialSealer port (lib/services/credential-ports.ts). In AWS: KMS Encrypt/Decrypt with
 * the stage's key and EncryptionContext {schoolId}: KMS refuses to decrypt under another school's
 * context, and IAM lets only the credentials function encrypt and only the reconciliation runner
 * decrypt (serverless.yml, CredentialsKey). Locally: localDevelopmentSealer.
 */

type KmsModule = typeof import('@aws-sdk/client-kms');
type KmsClient = InstanceType<KmsModule['KMSClient']>;

/** KMS with `keyId` (the key's alias). The client is imported on first use from Lambda's runtime, not bundled. */
export function kmsCredentialSealer(options: { keyId: string; region: string }): CredentialSealer {
  let client: Promise<{ kms: KmsModule; client: KmsClient }> | undefined;
  const kms = () =>
    (client ??= import('@aws-sdk/client-kms').then((module) => ({ kms: module, client: new module.KMSClient({ region: options.region, maxAttempts: 3 }) })).catch((error: unknown) => {
      client = undefined;
      throw error;
    }));
  return {
    async seal(schoolId, plaintext) {
      const { kms: sdk, client: c } = await kms();
      const { CiphertextBlob } = await c.send(new sdk.EncryptCommand({ KeyId: options.keyId, Plaintext: Buffer.from(plaintext, 'utf8'), EncryptionContext: { schoolId } }));
      if (!CiphertextBlob) throw new Error('KMS returned no ciphertext');
      return Buffer.from(CiphertextBlob).toString('base64');
    },
    async open(schoolId, sealed) {
      const { kms: sdk, client: c } = await kms();
      const { Plaintext } = await c.send(new sdk.DecryptCommand({ KeyId: options.keyId, CiphertextBlob: Buffer.from(sealed, 'base64'), EncryptionContext: { schoolId } }));
      if (!Plaintext) throw new Error('KMS returned no plaintext');
      return Buffer.from(Plaintext).toString('utf8');
    },
  };
}

/** Local runs and tests only: a key derived from a fixed, public string — no secrecy, the same binding. */
const LOCAL_DEVELOPMENT_KEY = createHash('sha256').update('local-development-credentials-key: not a secret, never used in AWS').digest();
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with the school id as additional authenticated data: base64 of iv | tag | ciphertext. */
export const localDevelopmentSealer: CredentialSealer = {
  async seal(schoolId, plaintext) {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', LOCAL_DEVELOPMENT_KEY, iv);
    cipher.setAAD(Buffer.from(schoolId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  },
  async open(schoolId, sealed) {
    const bytes = Buffer.from(sealed, 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed credentials are truncated');
    const decipher = createDecipheriv('aes-256-gcm', LOCAL_DEVELOPMENT_KEY, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(schoolId, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    // Throws "Unsupported state or unable to authenticate data" for another school's ciphertext.
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  },
};

/** In AWS the stage's KMS key (CREDENTIALS_KEY_ID); in a local run the local stand-in; in AWS without a key, a cold-start error. */
export function credentialSealerFor(config: { region: string; secrets: { credentialsKeyId?: string; localStandIns: boolean } }): CredentialSealer {
  if (config.secrets.credentialsKeyId) return kmsCredentialSealer({ keyId: config.secrets.credentialsKeyId, region: config.region });
  if (config.secrets.localStandIns) return localDevelopmentSealer;
  throw new Error('CREDENTIALS_KEY_ID is not set: school credentials cannot be sealed (serverless.yml, CredentialsKey)');
}
