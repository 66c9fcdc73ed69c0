import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenSource } from '../adapters/ssm/token-parameters.ts';
import { ssmTokenSource } from '../adapters/ssm/token-parameters.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Constant-time check of a presented token against the accepted ones (current, and previous
 * during a rotation). Both sides are hashed first, so tokens of any length compare without
 * throwing and without leaking their length; every accepted token is always compared.
 */
export function tokenMatches(presented: string | undefined, accepted: readonly string[]): boolean {
  if (presented === undefined || presented.length === 0) return false;
  const candidate = digest(presented);
  let matched = false;
  for (const token of accepted) matched = timingSafeEqual(candidate, digest(token)) || matched;
  return matched;
}

/**
 * Where the accepted tokens (current, and previous during a rotation) come from: in AWS, SSM
 * SecureString parameters (cached; a failed read with no recent tokens throws, and the delivery
 * is answered 503 so that Hotmart retries); locally, the environment. Asked only when a request
 * needs them: a POST presenting a token, or the health GET.
 */
export function tokenSourceFor(config: Config, logger?: Logger): TokenSource {
  return config.hottokSsmPath ? ssmTokenSource(config.hottokSsmPath, config.region, { logger }) : async () => config.localHottoks;
}
