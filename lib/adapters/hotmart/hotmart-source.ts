import type { Config } from '../../config.ts';
import { SealedCredentialsSchema } from '../../domain/hotconnect.ts';
import type { CredentialSealer, SchoolCredentialsStore } from '../../services/credential-ports.ts';
import type { HotmartSource } from '../../services/ports.ts';
import type { HotmartApi, HotmartTokenRefusal } from './api-types.ts';
import { createHotmartApi } from './api-client.ts';

export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** Clients kept per container (one per school, with its OAuth token): enough for the schools one runner container serves in a while. */
const MAX_CLIENTS = 100;

/** `credentials.lastError` as the school's status shows it: Hotmart's status and error type, never a secret. */
const refusalText = (refusal: HotmartTokenRefusal) => `Hotmart refused the credential: ${refusal.status}${refusal.code ? ` ${refusal.code}` : ''}`.slice(0, 200);

/**
 * The runner's Hotmart API for one school, with THAT school's credentials: read from its registry
 * item on every run, opened with the CredentialSealer (KMS Decrypt under EncryptionContext
 * {schoolId} in AWS), against the stage's production hosts or, for a sandbox credential, its
 * sandbox hosts. One client per school and container, so its OAuth token (valid for hours) is
 * reused across runs; credentials replaced in the meantime build a new one. A token Hotmart
 * refuses sets the credentials' `lastError`; the next token it issues clears it. Fails, naming
 * no secret, when the school has no credentials or they do not open.
 */
export function schoolHotmartSources(
  config: Pick<Config, 'reconciliation' | 'hotmartSandbox'>,
  deps: { store: SchoolCredentialsStore; sealer: CredentialSealer },
): (schoolId: string) => () => Promise<HotmartSource> {
  const clients = new Map<string, { sealed: string; api: HotmartApi; state: { lastError: boolean } }>();
  return (schoolId) => async () => {
    const read = await deps.store.get(schoolId);
    const stored = read.kind === 'school' ? read.credentials : null;
    if (!stored) throw new CredentialsError(`the school has no Hotmart credentials: PUT /schools/${schoolId}/hotmart-credentials (README, "Onboard a school")`);
    const cached = clients.get(schoolId);
    if (cached?.sealed === stored.sealed) {
      cached.state.lastError = stored.lastError !== undefined;
      return cached.api;
    }
    let credentials;
    try {
      credentials = SealedCredentialsSchema.parse(JSON.parse(await deps.sealer.open(schoolId, stored.sealed)));
    } catch {
      throw new CredentialsError('the school’s stored Hotmart credentials could not be opened: store them again (PUT …/hotmart-credentials)');
    }
    const hosts = stored.sandbox ? config.hotmartSandbox : config.reconciliation;
    const state = { lastError: stored.lastError !== undefined };
    const api = createHotmartApi({
      credentials,
      apiUrl: hosts.apiUrl,
      tokenUrl: hosts.tokenUrl,
      onToken: async (refusal) => {
        if (!refusal && !state.lastError) return;
        await deps.store.setLastError(schoolId, stored.sealed, refusal ? refusalText(refusal) : null);
        state.lastError = Boolean(refusal);
      },
    });
    clients.delete(schoolId);
    clients.set(schoolId, { sealed: stored.sealed, api, state });
    if (clients.size > MAX_CLIENTS) clients.delete(clients.keys().next().value!);
    return api;
  };
}
