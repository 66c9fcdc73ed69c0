import type { Logger } from '../../logger.ts';

/** How long fetched tokens are trusted before SSM is asked again, so a rotation needs no redeploy. */
const REFRESH_MS = 5 * 60 * 1000;
/** After a failed refresh the last good tokens are served, and SSM is asked again after this. */
const RETRY_MS = 30 * 1000;
/**
 * How long after their last successful read the tokens are still served while SSM keeps failing
 * (README, "Deploy"). Past it every delivery is refused (503) until SSM answers: a token revoked
 * during an SSM outage stops working within this time.
 */
export const STALE_TOKENS_MAX_MS = 60 * 60 * 1000;
/** A refresh with good tokens in hand gives up this fast, so it never eats a delivery's time budget. */
const STALE_REFRESH_BUDGET_MS = 1500;

export type TokenSource = () => Promise<string[]>;

export type TokenSourceOptions = { logger?: Pick<Logger, 'warn' | 'error'>; now?: () => number };

/**
 * The webhook tokens kept as SecureString parameters under one SSM path (`<path>/current` and,
 * during a rotation, `<path>/previous`), fetched on first use and cached per container. A failed
 * refresh keeps serving the last good tokens, for up to STALE_TOKENS_MAX_MS, logged at WARN: an
 * SSM fault or throttle must not turn into 503 for every delivery.
 *
 * The SSM client is imported on first use and is not bundled (Lambda's runtime provides it):
 * bundling it, or importing it statically, doubled the webhook's local cold start
 * (BENCHMARKS.md, "Cold start").
 */
export function ssmTokenSource(path: string, region: string, { logger, now = Date.now }: TokenSourceOptions = {}): TokenSource {
  let good: { tokens: string[]; at: number } | undefined;
  let nextRead = 0;
  let pending: Promise<string[]> | undefined;
  const fetchTokens = async () => {
    const { SSMClient, GetParametersByPathCommand } = await import('@aws-sdk/client-ssm');
    const client = new SSMClient({ region, maxAttempts: 3, requestHandler: { connectionTimeout: 500, requestTimeout: 1000, throwOnRequestTimeout: true } });
    try {
      const { Parameters = [] } = await client.send(
        new GetParametersByPathCommand({ Path: path, WithDecryption: true }),
        good ? { abortSignal: AbortSignal.timeout(STALE_REFRESH_BUDGET_MS) as never } : {},
      );
      const byName = new Map(Parameters.map((p) => [p.Name?.slice(path.length + 1), p.Value]));
      const tokens = [byName.get('current'), byName.get('previous')].filter((t): t is string => typeof t === 'string' && t.length > 0);
      good = { tokens, at: now() };
      nextRead = good.at + REFRESH_MS;
      return tokens;
    } catch (error) {
      const at = now();
      const fields = { errorName: (error as Error).name, tokensAgeSeconds: good ? Math.round((at - good.at) / 1000) : null };
      if (good && at - good.at < STALE_TOKENS_MAX_MS) {
        nextRead = at + RETRY_MS;
        logger?.warn('webhook token refresh from SSM failed: serving the last tokens read', fields);
        return good.tokens;
      }
      logger?.error('webhook tokens unavailable: SSM failed and no tokens read within the last hour', fields);
      throw error;
    } finally {
      client.destroy();
    }
  };
  return async () => {
    if (good && now() < nextRead) return good.tokens;
    pending ??= fetchTokens().finally(() => (pending = undefined));
    return pending;
  };
}
