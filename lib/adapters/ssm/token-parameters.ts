/** How long a fetched token is trusted before SSM is asked again, so a rotation needs no redeploy. */
const REFRESH_MS = 5 * 60 * 1000;

export type TokenSource = () => Promise<string[]>;

/**
 * The webhook tokens kept as SecureString parameters under one SSM path (`<path>/current` and,
 * during a rotation, `<path>/previous`), fetched on first use and cached per container.
 *
 * The SSM client is imported on first use and is not bundled (Lambda's runtime provides it):
 * bundling it, or importing it statically, doubled the webhook's local cold start
 * (BENCHMARKS.md, "Cold start").
 */
export function ssmTokenSource(path: string, region: string): TokenSource {
  let cached: { tokens: string[]; at: number } | undefined;
  let pending: Promise<string[]> | undefined;
  const fetchTokens = async () => {
    const { SSMClient, GetParametersByPathCommand } = await import('@aws-sdk/client-ssm');
    const client = new SSMClient({ region, maxAttempts: 3, requestHandler: { connectionTimeout: 500, requestTimeout: 1000, throwOnRequestTimeout: true } });
    try {
      const { Parameters = [] } = await client.send(new GetParametersByPathCommand({ Path: path, WithDecryption: true }));
      const byName = new Map(Parameters.map((p) => [p.Name?.slice(path.length + 1), p.Value]));
      const tokens = [byName.get('current'), byName.get('previous')].filter((t): t is string => typeof t === 'string' && t.length > 0);
      cached = { tokens, at: Date.now() };
      return tokens;
    } finally {
      client.destroy();
    }
  };
  return async () => {
    if (cached && Date.now() - cached.at < REFRESH_MS) return cached.tokens;
    pending ??= fetchTokens().finally(() => (pending = undefined));
    return pending;
  };
}
