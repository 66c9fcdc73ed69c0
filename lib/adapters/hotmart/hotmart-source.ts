import type { Config } from '../../config.ts';
import type { HotmartSource } from '../../services/ports.ts';
import type { HotmartApi } from './api-client.ts';
import { createHotmartApi } from './api-client.ts';
import { hotmartCredentialSource } from './credentials.ts';

/**
 * The runner's Hotmart API: one client per container and credentials, so its OAuth token (valid
 * for hours) is reused across runs, and a rotated secret builds a new one. Fails, naming no
 * secret, when the credentials are missing.
 */
export function hotmartSource(config: Pick<Config, 'region' | 'reconciliation'>): () => Promise<HotmartSource> {
  const credentials = hotmartCredentialSource(config);
  let client: { key: string; api: HotmartApi } | undefined;
  return async () => {
    const current = await credentials();
    const key = JSON.stringify([current.clientId, current.clientSecret, current.basic]);
    if (client?.key !== key) {
      client = { key, api: createHotmartApi({ credentials: current, apiUrl: config.reconciliation.apiUrl, tokenUrl: config.reconciliation.tokenUrl }) };
    }
    return client.api;
  };
}
