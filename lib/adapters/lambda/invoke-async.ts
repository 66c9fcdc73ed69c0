/**
 * Invokes a function asynchronously (InvocationType `Event`): Lambda queues the payload and
 * answers 202 at once; it then runs the function, retries it on failure and, where configured,
 * sends what still failed to the function's on-failure destination. Locally `endpoint` is
 * serverless-offline's Lambda port (or a test's stand-in).
 *
 * The Lambda client is imported on first use from Lambda's runtime (not bundled).
 */
export async function invokeAsync(options: { region: string; endpoint?: string }, functionName: string, payload: unknown): Promise<void> {
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  const client = new LambdaClient({
    region: options.region,
    maxAttempts: 3,
    ...(options.endpoint ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  try {
    const result = await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
    if (result.StatusCode !== 202) throw new Error(`${functionName} did not accept the invocation (status ${result.StatusCode})`);
  } finally {
    client.destroy();
  }
}
