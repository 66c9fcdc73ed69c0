import type { HotmartApiOptions, HotmartCredentials } from './api-types.ts';
import { ERROR_TYPE, errorCode, failureKind, HotmartApiError, readJson, refuseRedirect, TOKEN_ANSWER_BYTES } from './answers.ts';

/**
 * Hotmart's error type, dropped if it quotes a credential or token. Error types are fixed words,
 * so this only bites on a misbehaving server; a client id is an identifier rather than a secret
 * and is only matched when long enough not to hit ordinary words (test ids like "id").
 */
export async function safeErrorCode(response: Response, credentials: HotmartCredentials, token?: string): Promise<string> {
  const code = await errorCode(response);
  const { clientId, clientSecret, basic } = credentials;
  const secrets = [clientSecret, basic, token, clientId.length >= 8 ? clientId : undefined];
  if (secrets.some((secret) => secret && code.includes(secret))) return 'redacted';
  // An error type is one word (invalid_token, too_many_requests): anything else is not quoted.
  return ERROR_TYPE.test(code) ? code : '';
}

export type TokenRequestOptions = Pick<HotmartApiOptions, 'credentials' | 'tokenUrl' | 'tokenContentType' | 'requestTimeoutMs'>;

/**
 * One OAuth client-credentials token request (docs/hotmart.md, "REST API: credentials and token").
 * Throws HotmartApiError: status 0 when no answer came, else Hotmart's status and error type only.
 * `previousToken` is one more value an error answer must not be quoted with.
 */
export async function requestHotmartToken(options: TokenRequestOptions, previousToken?: string): Promise<{ accessToken: string; expiresInSeconds: number }> {
  const { clientId, clientSecret, basic } = options.credentials;
  const params = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString();
  const form = options.tokenContentType === 'form';
  const url = new URL(options.tokenUrl);
  url.search = params;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
      ...(form ? { body: params } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
    });
  } catch (error) {
    // Rethrow only the kind of failure: the request URL and body carry the client secret.
    throw new HotmartApiError(0, `token request failed: ${failureKind(error)}`);
  }
  refuseRedirect(response);
  if (!response.ok) throw new HotmartApiError(response.status, await safeErrorCode(response, options.credentials, previousToken));
  const body = (await readJson(response, TOKEN_ANSWER_BYTES)) as { access_token?: unknown; expires_in?: number } | null;
  if (typeof body?.access_token !== 'string' || !body.access_token) throw new HotmartApiError(response.status, 'no access_token');
  return { accessToken: body.access_token, expiresInSeconds: body.expires_in ?? 3600 };
}
