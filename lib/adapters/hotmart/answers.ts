/**
 * Hotmart's HTTP answers as the API client reads them (lib/adapters/hotmart/api-client.ts): its
 * errors, which carry a status and Hotmart's error type at most, and the bounded, redirect-refusing
 * reading of an answer. Nothing here quotes a piece of an answer.
 */

/** Carries only the HTTP status and Hotmart's error type: never a credential or token. Status 0: no answer. */
export class HotmartApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`Hotmart API answered ${status}${code ? ` (${code})` : ''}`);
    this.name = 'HotmartApiError';
  }
}

/** A read stopped by one of the client's own bounds (pages, page-token loop, shape). */
export class HotmartReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HotmartReadError';
  }
}

export const backoff = (attempt: number) => Math.min(8_000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);

/** A token endpoint's answer that asking again will not change: credentials refused (4xx but 429), a redirect, an answer that is no token. */
export const isRefusal = (error: unknown) => error instanceof HotmartApiError && error.status >= 200 && error.status < 500 && error.status !== 429;

/** A network failure's kind (timeout, ECONNREFUSED, …) without its message, which may quote the request. */
export function failureKind(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : error.name;
}

/** How long a 429 asks us to wait: RateLimit-Reset (seconds), else Retry-After, else a minute's share. */
export function rateLimitWait(headers: Headers): number {
  const seconds = Number(headers.get('ratelimit-reset') ?? headers.get('retry-after') ?? 1);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}

/** Hotmart's error types are single words; anything else in `error` is not quoted. */
export const ERROR_TYPE = /^[A-Za-z0-9_.:-]{1,64}$/;
export const TOKEN_ANSWER_BYTES = 64 * 1024;
const ERROR_ANSWER_BYTES = 64 * 1024;

/** A redirect is refused, never followed: the request carries a credential. */
export function refuseRedirect(response: Response) {
  if (response.status >= 300 && response.status < 400) {
    void response.body?.cancel().catch(() => undefined);
    throw new HotmartApiError(response.status, 'redirect refused');
  }
}

/** The media type, as a word safe to name in an error (never a piece of the answer). */
function mediaType(response: Response): string {
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9.+-]{1,40}\/[a-z0-9.+-]{1,60}$/.test(type) ? type : type ? 'unrecognised type' : 'no content-type';
}

/**
 * The answer as JSON, refusing one that says it is not JSON or is over `limit` bytes — the body
 * is read as a stream and dropped as soon as it passes the limit. Errors name what was wrong
 * (status, media type, size), never what the answer said: a parser's message would quote it.
 */
export async function readJson(response: Response, limit: number): Promise<unknown> {
  const type = mediaType(response);
  if (!/^application\/([a-z0-9.-]+\+)?json$/.test(type)) {
    void response.body?.cancel().catch(() => undefined);
    throw new HotmartApiError(response.status, `not JSON: ${type}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const tooLarge = () => new HotmartApiError(response.status, `answer over ${limit} bytes`);
  if (declared > limit) {
    void response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
  } catch {
    throw new HotmartApiError(response.status, 'unreadable JSON');
  }
}

/** The body's `error` field, whole: cut it only after checking it for secrets. */
export async function errorCode(response: Response): Promise<string> {
  try {
    const body = (await readJson(response, ERROR_ANSWER_BYTES)) as { error?: unknown } | null;
    return typeof body?.error === 'string' ? body.error : '';
  } catch {
    return '';
  }
}
