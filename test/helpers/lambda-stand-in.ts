import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Context } from 'aws-lambda';
import { lambdaContext } from './stack.ts';

type AsyncHandler = (event: unknown, context: Context) => Promise<unknown>;
type Registered = { handler: AsyncHandler; timeoutMs: number; maximumRetryAttempts: number };

/**
 * A local stand-in for Lambda's asynchronous Invoke API (InvocationType `Event`) on 127.0.0.1, for
 * functions registered by name: it answers 202, runs the handler with a context of the function's
 * timeout, retries a rejected invocation up to `maximumRetryAttempts` times (at once, where Lambda
 * waits a minute or two), then records it under `failures` — the on-failure destination.
 * Set LAMBDA_ENDPOINT to `endpoint` before importing a handler that invokes (config is read at import).
 */
export async function startLambdaStandIn() {
  const functions = new Map<string, Registered>();
  const pending = new Set<Promise<unknown>>();
  const invocations: { functionName: string; payload: unknown; attempt: number; outcome?: 'succeeded' | 'failed' }[] = [];
  const failures: { functionName: string; payload: unknown; error: string }[] = [];
  /** run: invoke at once; hold: accept and run on release(); refuse: answer as a throttled Lambda would. */
  let mode: 'run' | 'hold' | 'refuse' = 'run';
  const held: { functionName: string; payload: unknown }[] = [];

  const execute = (functionName: string, payload: unknown) => {
    const { handler, timeoutMs, maximumRetryAttempts } = functions.get(functionName)!;
    const attempt = async () => {
      for (let n = 1; ; n++) {
        const record: (typeof invocations)[number] = { functionName, payload, attempt: n };
        invocations.push(record);
        try {
          await handler(structuredClone(payload), lambdaContext(timeoutMs));
          record.outcome = 'succeeded';
          return;
        } catch (error) {
          record.outcome = 'failed';
          if (n > maximumRetryAttempts) {
            failures.push({ functionName, payload, error: (error as Error).name });
            return;
          }
        }
      }
    };
    const run = attempt();
    pending.add(run);
    void run.finally(() => pending.delete(run));
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const functionName = decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(request.url ?? '')?.[1] ?? '');
      const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      if (mode === 'refuse' || !functions.has(functionName) || type !== 'Event') {
        response.writeHead(mode === 'refuse' ? 429 : 404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ Type: 'User', message: mode === 'refuse' ? 'Rate exceeded' : 'Function not found' }));
        return;
      }
      const payload = JSON.parse(body || '{}');
      if (mode === 'hold') held.push({ functionName, payload });
      else execute(functionName, payload);
      response.writeHead(202);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    invocations,
    failures,
    register: (name: string, handler: AsyncHandler, options: { timeoutMs: number; maximumRetryAttempts: number }) => functions.set(name, { handler, ...options }),
    setMode: (value: 'run' | 'hold' | 'refuse') => (mode = value),
    /** Runs the invocations held so far. */
    release: () => held.splice(0).forEach(({ functionName, payload }) => execute(functionName, payload)),
    /** Waits until no invocation runs (those they start included). */
    idle: async () => {
      while (pending.size) await Promise.all([...pending]);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
