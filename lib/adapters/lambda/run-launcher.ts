import type { Config } from '../../config.ts';

export type RunLauncher = (runId: string) => Promise<void>;

/**
 * Hands a started run to the runner function as an asynchronous invocation: the API answers at
 * once and the run goes on for as long as the runner's timeout allows. An invocation Lambda
 * delivers twice, or retries, finds the run already claimed and does nothing (executeRun).
 * Locally the same call reaches serverless-offline's Lambda endpoint.
 *
 * The Lambda client is imported on first use from Lambda's runtime (not bundled).
 */
export function lambdaRunLauncher(config: Pick<Config, 'region' | 'reconciliation'>): RunLauncher {
  const { runnerFunction, lambdaEndpoint } = config.reconciliation;
  return async (runId) => {
    if (!runnerFunction) throw new Error('RECONCILE_FUNCTION is not set: no runner to start');
    const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
    const client = new LambdaClient({
      region: config.region,
      maxAttempts: 3,
      ...(lambdaEndpoint ? { endpoint: lambdaEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
    try {
      const result = await client.send(
        new InvokeCommand({ FunctionName: runnerFunction, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify({ runId })) }),
      );
      if (result.StatusCode !== 202) throw new Error(`the runner did not accept the run (status ${result.StatusCode})`);
    } finally {
      client.destroy();
    }
  };
}
