import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { credentialSealerFor, kmsCredentialSealer, localDevelopmentSealer } from '#lib/adapters/secrets/credential-sealer.ts';
import { loadConfig } from '#lib/config.ts';

const secret = JSON.stringify({ clientId: 'cid', clientSecret: 'very-secret', basic: 'Y2lkOnZlcnktc2VjcmV0' });

describe('the local development sealer', () => {
  it('opens what it sealed for the same school, and the ciphertext does not show the secret', async () => {
    const sealed = await localDevelopmentSealer.seal('school-a', secret);
    assert.ok(!Buffer.from(sealed, 'base64').toString('latin1').includes('very-secret'));
    assert.equal(await localDevelopmentSealer.open('school-a', sealed), secret);
    assert.notEqual(await localDevelopmentSealer.seal('school-a', secret), sealed, 'a fresh IV each time');
  });

  it('does not open one school’s ciphertext as another’s, nor an altered one', async () => {
    const sealed = await localDevelopmentSealer.seal('school-a', secret);
    await assert.rejects(localDevelopmentSealer.open('school-b', sealed));
    const bytes = Buffer.from(sealed, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    await assert.rejects(localDevelopmentSealer.open('school-a', bytes.toString('base64')));
    await assert.rejects(localDevelopmentSealer.open('school-a', 'c2hvcnQ='));
  });
});

describe('the KMS sealer', () => {
  it('encrypts and decrypts with the stage’s key and the school id as the whole encryption context', async () => {
    const kms = mockClient(KMSClient);
    try {
      kms.on(EncryptCommand).resolves({ CiphertextBlob: Buffer.from('ciphertext-blob') });
      kms.on(DecryptCommand).resolves({ Plaintext: Buffer.from(secret) });
      const sealer = kmsCredentialSealer({ keyId: 'alias/hotmart-enrollments-prod-credentials', region: 'us-east-1' });
      const sealed = await sealer.seal('school-a', secret);
      assert.equal(sealed, Buffer.from('ciphertext-blob').toString('base64'));
      assert.equal(await sealer.open('school-a', sealed), secret);
      const [encrypt] = kms.commandCalls(EncryptCommand);
      assert.equal(encrypt!.args[0].input.KeyId, 'alias/hotmart-enrollments-prod-credentials');
      assert.deepEqual(encrypt!.args[0].input.EncryptionContext, { schoolId: 'school-a' });
      assert.equal(Buffer.from(encrypt!.args[0].input.Plaintext!).toString(), secret);
      const [decrypt] = kms.commandCalls(DecryptCommand);
      assert.deepEqual(decrypt!.args[0].input.EncryptionContext, { schoolId: 'school-a' });
      assert.deepEqual(Buffer.from(decrypt!.args[0].input.CiphertextBlob!), Buffer.from('ciphertext-blob'));
    } finally {
      kms.restore();
    }
  });

  it('is chosen in AWS when the key is set; outside AWS the local sealer; in AWS without a key, a cold-start error', () => {
    const tables = { EVENTS_TABLE: 'e-x', ENROLLMENTS_TABLE: 'n-x', MAPPINGS_TABLE: 'm-x', QUARANTINE_TABLE: 'q-x', RECONCILIATIONS_TABLE: 'r-x', SCHOOLS_TABLE: 's-x', FEED_TABLE: 'f-x', AUDIT_TABLE: 'a-x' };
    assert.equal(credentialSealerFor(loadConfig(tables)), localDevelopmentSealer);
    assert.equal(credentialSealerFor(loadConfig({ ...tables, IS_OFFLINE: 'true', CREDENTIALS_KEY_ID: 'alias/x' })), localDevelopmentSealer);
    assert.notEqual(credentialSealerFor(loadConfig({ ...tables, AWS_LAMBDA_FUNCTION_NAME: 'credentials', CREDENTIALS_KEY_ID: 'alias/x' })), localDevelopmentSealer);
    assert.throws(() => credentialSealerFor(loadConfig({ ...tables, AWS_LAMBDA_FUNCTION_NAME: 'credentials' })), /CREDENTIALS_KEY_ID is not set/);
  });
});
