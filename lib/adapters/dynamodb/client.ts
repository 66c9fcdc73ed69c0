import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeSchoolShards } from './school-shard.ts';

export type ClientOptions = { region: string; endpoint?: string; requestTimeoutMs?: number };

/**
 * One document client per container. Timeouts and retries are bounded so that a request never
 * outlives the 6 s Lambda: in AWS, 3 attempts × (≤ 0.5 s connect + ≤ 1 s response) stays well
 * under it; whatever the settings, the handler answers 503 before Lambda would kill it.
 */
export function createDocumentClient(options: ClientOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 500, requestTimeout: options.requestTimeoutMs ?? 1000, throwOnRequestTimeout: true },
    ...(options.endpoint
      ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  writeSchoolShards(client);
  // Test-only hook: with `npm test`'s key-scoping gate on, scripts/key-recorder.ts (preloaded) records every request's keys.
  (globalThis as Record<symbol, ((client: DynamoDBClient) => void) | undefined>)[Symbol.for('hotmart-enrollments.dynamodb-client-created')]?.(client);
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
