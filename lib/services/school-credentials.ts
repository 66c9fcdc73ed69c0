import { hotmartBasic } from '../domain/hotconnect.ts';
import type { SealedCredentials } from '../domain/hotconnect.ts';
import type { CredentialSealer, CredentialVerifier, SchoolCredentialsStore, StoredCredentials } from './credential-ports.ts';

export type SchoolCredentialsDeps = { store: SchoolCredentialsStore; sealer: CredentialSealer; verify: CredentialVerifier; now?: () => number };

/** What a PUT gives: the credential as Hotmart's Credentials page shows it. */
export type CredentialsInput = { clientId: string; clientSecret: string; basic?: string | undefined; sandbox: boolean };

/** What may be shown of stored credentials: never a secret. */
export type CredentialsView = Pick<StoredCredentials, 'clientId' | 'sandbox' | 'verifiedAt'>;

const viewOf = ({ clientId, sandbox, verifiedAt }: StoredCredentials): CredentialsView => ({ clientId, sandbox, verifiedAt });

export type ConnectOutcome =
  | { kind: 'connected'; credentials: CredentialsView }
  | { kind: 'noSchool' }
  | { kind: 'rejected'; hotmart: { status: number; error: string } }
  | { kind: 'unreachable'; reason: string };

/**
 * Connects a school's Hotmart account: the credentials are stored only once Hotmart has issued a
 * token with them, sealed for this school (the secret never leaves `sealed`). An unknown school is
 * answered before anything is sent to Hotmart; refused or unverifiable credentials store nothing.
 */
export async function connectHotmart(schoolId: string, input: CredentialsInput, deps: SchoolCredentialsDeps): Promise<ConnectOutcome> {
  if ((await deps.store.get(schoolId)).kind === 'noSchool') return { kind: 'noSchool' };
  const secret: SealedCredentials = { clientId: input.clientId, clientSecret: input.clientSecret, basic: hotmartBasic(input.clientId, input.clientSecret, input.basic) };
  const check = await deps.verify(secret, { sandbox: input.sandbox });
  if (check.kind !== 'accepted') return check;
  const stored: StoredCredentials = { clientId: input.clientId, sandbox: input.sandbox, verifiedAt: (deps.now ?? Date.now)(), sealed: await deps.sealer.seal(schoolId, JSON.stringify(secret)) };
  // The school may have been deleted while Hotmart answered: the conditional write says so.
  if ((await deps.store.put(schoolId, stored)) === 'noSchool') return { kind: 'noSchool' };
  return { kind: 'connected', credentials: viewOf(stored) };
}

export type ReadOutcome = { kind: 'noSchool' } | { kind: 'none' } | { kind: 'found'; credentials: CredentialsView };

export async function readHotmartConnection(schoolId: string, deps: Pick<SchoolCredentialsDeps, 'store'>): Promise<ReadOutcome> {
  const read = await deps.store.get(schoolId);
  if (read.kind === 'noSchool') return read;
  return read.credentials ? { kind: 'found', credentials: viewOf(read.credentials) } : { kind: 'none' };
}

/** Removes them (idempotent: none stored is removed too). */
export async function disconnectHotmart(schoolId: string, deps: Pick<SchoolCredentialsDeps, 'store'>): Promise<'removed' | 'noSchool'> {
  return deps.store.remove(schoolId);
}
