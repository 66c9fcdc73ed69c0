import type { CredentialVerifier } from '../../services/credential-ports.ts';
import { isAllowedHotmartUrl } from './api-client.ts';
import { HotmartApiError } from './answers.ts';
import { requestHotmartToken } from './token-request.ts';

type Hosts = { tokenUrl: string };

/**
 * Checks a school's HotConnect credentials by asking Hotmart's token endpoint for a token — the
 * production one, or the stage's sandbox one for a sandbox credential (a credential is created as
 * one or the other and cannot be switched: docs/hotmart.md, "REST API: credentials and token").
 * A 4xx is Hotmart refusing them (`rejected`, with its status and error type, never a secret);
 * no answer, a 5xx, a 429, a redirect or an answer that holds no token is `unreachable`: asking
 * again later may succeed. The token itself is dropped.
 */
export function hotmartCredentialVerifier(hosts: { production: Hosts; sandbox: Hosts }, options: { requestTimeoutMs?: number } = {}): CredentialVerifier {
  for (const { tokenUrl } of [hosts.production, hosts.sandbox]) {
    if (!isAllowedHotmartUrl(tokenUrl)) throw new RangeError('Hotmart token URL must be https (plain http only to 127.0.0.1 or localhost)');
  }
  return async (credentials, { sandbox }) => {
    const tokenUrl = (sandbox ? hosts.sandbox : hosts.production).tokenUrl;
    try {
      await requestHotmartToken({ credentials, tokenUrl, ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}) });
      return { kind: 'accepted' };
    } catch (error) {
      if (!(error instanceof HotmartApiError)) throw error;
      const refused = error.status >= 400 && error.status < 500 && error.status !== 429;
      if (refused) return { kind: 'rejected', hotmart: { status: error.status, error: error.code } };
      return { kind: 'unreachable', reason: error.message };
    }
  };
}
