import type { CredentialSealer } from '../../services/credential-ports.ts';
import { kmsCredentialSealer, localDevelopmentSealer } from './credential-sealer.ts';

/**
 * The sealer of feed endpoints' signing secrets: KMS with the feed's own key (FEED_SECRETS_KEY_ID,
 * serverless.yml FeedSecretsKey) and EncryptionContext {schoolId}; in a local run the local
 * stand-in; in AWS without a key, a cold-start error.
 */
export function feedSecretSealerFor(config: { region: string; feed: { secretsKeyId?: string }; secrets: { localStandIns: boolean } }): CredentialSealer {
  if (config.feed.secretsKeyId) return kmsCredentialSealer({ keyId: config.feed.secretsKeyId, region: config.region });
  if (config.secrets.localStandIns) return localDevelopmentSealer;
  throw new Error('FEED_SECRETS_KEY_ID is not set: feed secrets cannot be sealed (serverless.yml, FeedSecretsKey)');
}
