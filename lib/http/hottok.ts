import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { TokenSource } from '../adapters/ssm/token-parameters.ts';
import { ssmTokenSource } from '../adapters/ssm/token-parameters.ts';
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

export type HottokContext = { hottok?: string[] };

export function acceptedTokens(context: HottokContext): string[] {
  return context.hottok ?? [];
}

/**
 * Puts the accepted tokens (current, and previous during a rotation) on the Lambda context: in
 * AWS from SSM SecureString parameters, locally from the environment. A failed SSM read throws,
 * and the delivery is answered 503 so that Hotmart retries.
 */
export function hottokSource(config: Config): MiddlewareObj {
  const tokens: TokenSource = config.hottokSsmPath ? ssmTokenSource(config.hottokSsmPath, config.region) : async () => config.localHottoks;
  return {
    before: async (request) => {
      Object.assign(request.context, { hottok: await tokens() });
    },
  };
}
