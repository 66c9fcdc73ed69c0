import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import ssm from '@middy/ssm';
import type { Config } from '../config.ts';

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

export type HottokContext = { hottok?: { current?: unknown; previous?: unknown } };

export function acceptedTokens(context: HottokContext): string[] {
  return [context.hottok?.current, context.hottok?.previous].filter(
    (token): token is string => typeof token === 'string' && token.length > 0,
  );
}

/**
 * Puts the accepted tokens on the Lambda context. In AWS they are SecureString parameters under
 * one SSM path (`current`, optional `previous`), fetched at cold start and re-read every
 * 5 minutes so a rotation needs no redeploy; locally they come from the environment.
 */
export function hottokSource(config: Config): MiddlewareObj {
  if (config.hottokSsmPath) {
    return ssm({
      fetchData: { hottok: `${config.hottokSsmPath}/` },
      setToContext: true,
      cacheKey: 'hottok',
      cacheExpiry: 5 * 60 * 1000,
    }) as MiddlewareObj;
  }
  const [current, previous] = config.localHottoks;
  return {
    before: (request) => {
      Object.assign(request.context, { hottok: { current, previous } });
    },
  };
}
