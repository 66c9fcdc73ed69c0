import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkEndpointUrl, checkedLookup } from './endpoint-guard.ts';
import type { LookupAll } from './endpoint-guard.ts';
import { signatureHeader } from './sign.ts';

/**
 * One delivery attempt of a feed event (Standard Webhooks): POST of the exact body bytes, signed
 * by every active secret, with a fresh `webhook-timestamp`, answered within `timeoutMs`.
 *
 * node:http(s) rather than fetch: Node's fetch offers no hook into its DNS resolution, and the
 * guard must check the address the connection is made to (see `checkedLookup`). Redirects are
 * not followed (a 3xx is a failed attempt), so a redirect cannot lead to a refused address either.
 */
export type WebhookDelivery = {
  url: string;
  /** The event id: `webhook-id`, stable across retries and replays. */
  id: string;
  /** The stored body, sent byte for byte. */
  body: string;
  /** `whsec_…` secrets; each signs (at most two during a rotation). */
  secrets: string[];
};

/** `delivered`: 2xx. `gone`: 410, the endpoint is to be disabled. `retry`: anything else, or no answer. */
export type SendResult = {
  outcome: 'delivered' | 'gone' | 'retry';
  /** The endpoint's HTTP status; null when it did not answer. */
  status: number | null;
  latencyMs: number;
  /** Why the attempt was not delivered, in the sender's own words: never a secret, the body or the answer's body. */
  error?: string;
};

export type SendOptions = {
  /** `npm start` and tests: http to the loopback host allowed. */
  local: boolean;
  timeoutMs?: number;
  /** Epoch ms, for `webhook-timestamp`. */
  now?: () => number;
  lookup?: LookupAll;
};

export const SEND_TIMEOUT_MS = 10_000;

export function classify(status: number): SendResult['outcome'] {
  if (status >= 200 && status < 300) return 'delivered';
  return status === 410 ? 'gone' : 'retry';
}

/** A failure as words the sender chose: a code, never the error's message (which might quote a URL or an answer). */
function describeFailure(error: unknown, timeoutMs: number): string {
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  if (name === 'AbortError' || name === 'TimeoutError' || code === 'ABORT_ERR') return `no answer within ${timeoutMs} ms`;
  if (code === 'EREFUSEDADDRESS') return 'refused: the host resolves to a loopback, private, link-local or reserved address';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host does not resolve (${code})`;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? `connection failed (${code})` : 'connection failed';
}

export async function sendWebhook(delivery: WebhookDelivery, options: SendOptions): Promise<SendResult> {
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = checkEndpointUrl(delivery.url, { local: options.local });
  if (!url.ok) return { outcome: 'retry', status: null, latencyMs: 0, error: `refused: ${url.reason}` };

  const body = Buffer.from(delivery.body);
  const timestamp = Math.floor((options.now ?? Date.now)() / 1000);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    'user-agent': 'hotmart-enrollments-feed',
    'webhook-id': delivery.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(delivery.secrets, delivery.id, timestamp, body),
  };
  const target = new URL(delivery.url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  try {
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request(target, {
        method: 'POST',
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        lookup: checkedLookup({ local: options.local, lookup: options.lookup }),
        agent: false,
      });
      outgoing.once('response', (response: IncomingMessage) => {
        response.resume(); // the answer's body is not read: only its status counts
        resolve(response.statusCode ?? 0);
      });
      outgoing.once('error', reject);
      outgoing.end(body);
    });
    const outcome = classify(status);
    return { outcome, status, latencyMs: elapsed(), ...(outcome === 'delivered' ? {} : { error: `HTTP ${status}` }) };
  } catch (error) {
    return { outcome: 'retry', status: null, latencyMs: elapsed(), error: describeFailure(error, timeoutMs) };
  }
}
