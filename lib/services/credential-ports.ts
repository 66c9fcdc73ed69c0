/**
 * The ports of a school's HotConnect credentials (lib/services/school-credentials.ts). Adapters:
 * lib/adapters/secrets/credential-sealer.ts, lib/adapters/hotmart/credential-check.ts,
 * lib/adapters/dynamodb/school-credentials-store.ts.
 */

/**
 * Encrypts a school's credentials with the school id bound to the ciphertext, so one school's
 * ciphertext never opens as another's. In AWS, KMS with EncryptionContext {schoolId}; locally,
 * localDevelopmentSealer (AES-256-GCM, the school id as additional data).
 */
export interface CredentialSealer {
  /** The plaintext sealed for this school, base64. */
  seal(schoolId: string, plaintext: string): Promise<string>;
  /** Throws if `sealed` was not sealed for this school (or was altered). */
  open(schoolId: string, sealed: string): Promise<string>;
}

/** A credential as Hotmart's Credentials page gives it; `basic` is Base64(client_id:client_secret). */
export type HotConnectCredentials = { clientId: string; clientSecret: string; basic: string };

/** What Hotmart answered when asked for a token: never a secret, at most its status and error type. */
export type CredentialCheck =
  | { kind: 'accepted' }
  | { kind: 'rejected'; hotmart: { status: number; error: string } }
  | { kind: 'unreachable'; reason: string };

/** Asks Hotmart's token endpoint (production or sandbox) for a token with these credentials. */
export type CredentialVerifier = (credentials: HotConnectCredentials, options: { sandbox: boolean }) => Promise<CredentialCheck>;

/** What the registry item holds of them: the secret only inside `sealed`. Dates epoch ms. */
export type StoredCredentials = { clientId: string; sandbox: boolean; verifiedAt: number; sealed: string; lastError?: string };

/** 'noSchool': the school does not exist or is deleted. */
export type SchoolCredentialsRead = { kind: 'noSchool' } | { kind: 'school'; credentials: StoredCredentials | null };

/** The `credentials` attribute of a school's registry item (only while the school is active). */
export interface SchoolCredentialsStore {
  get(schoolId: string): Promise<SchoolCredentialsRead>;
  put(schoolId: string, credentials: StoredCredentials): Promise<'stored' | 'noSchool'>;
  remove(schoolId: string): Promise<'removed' | 'noSchool'>;
  /**
   * Sets (text) or clears (null) `lastError` of the credentials sealed as `sealed`: credentials
   * replaced or removed meanwhile are left as they are.
   */
  setLastError(schoolId: string, sealed: string, text: string | null): Promise<void>;
}
