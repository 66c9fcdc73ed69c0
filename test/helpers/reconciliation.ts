import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Context } from 'aws-lambda';
import type { HotmartApiOptions } from '#lib/adapters/hotmart/api-client.ts';
import { createHotmartApi } from '#lib/adapters/hotmart/api-client.ts';
import type { FakeHotmart, FakeHotmartOptions } from '../../scripts/fake-hotmart-api.ts';
import { startFakeHotmartApi } from '../../scripts/fake-hotmart-api.ts';
import { lambdaContext, SCHOOL, schoolRoute } from './stack.ts';

export const CLIENT_ID = 'test-client-id-5f1c2a';
export const CLIENT_SECRET = 'test-client-secret-9d8e7f6a5b4c';
const RUNNER = 'test-reconcile';

/** The real client, pointed at a fake Hotmart API with the test credentials (or others). */
export function clientFor(fake: Pick<FakeHotmart, 'basic' | 'tokenUrl' | 'apiUrl'>, credentials: Partial<HotmartApiOptions['credentials']> = {}) {
  return createHotmartApi({ credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, basic: fake.basic, ...credentials }, tokenUrl: fake.tokenUrl, apiUrl: fake.apiUrl });
}

/**
 * The reconciliation side of the stack, in process: the fake Hotmart API, and a stand-in for
 * Lambda's Invoke API on 127.0.0.1 that runs the runner handler, so `POST /reconciliations`
 * goes through the real Lambda client. Call after createTestStack() and before loadHandlers():
 * the handlers read their configuration at import.
 */
export async function startReconciliationStack(options: Partial<FakeHotmartOptions> = {}, schoolId = SCHOOL) {
  const at = schoolRoute(schoolId);
  const fake = await startFakeHotmartApi({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });
  const pending = new Set<Promise<unknown>>();
  const invocations: { functionName: string; type: string; payload: unknown }[] = [];
  let runner: ((event: unknown, context: Context) => Promise<unknown>) | undefined;
  /** run: invoke at once; hold: accept and run on release(); refuse: answer as a throttled Lambda would. */
  let mode: 'run' | 'hold' | 'refuse' = 'run';
  const held: unknown[] = [];
  const execute = (payload: unknown) => {
    const run = runner!(payload, lambdaContext(900_000));
    pending.add(run);
    void run.catch(() => undefined).finally(() => pending.delete(run));
  };

  const lambda = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const functionName = decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(request.url ?? '')?.[1] ?? '');
      const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      const payload = JSON.parse(body || '{}');
      invocations.push({ functionName, type, payload });
      if (mode === 'refuse' || functionName !== RUNNER || !runner) {
        response.writeHead(mode === 'refuse' ? 429 : 404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ Type: 'User', message: mode === 'refuse' ? 'Rate exceeded' : 'Function not found' }));
        return;
      }
      if (mode === 'hold') held.push(payload);
      else execute(payload);
      response.writeHead(202);
      response.end();
    });
  });
  await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));

  Object.assign(process.env, {
    HOTMART_CLIENT_ID: CLIENT_ID,
    HOTMART_CLIENT_SECRET: CLIENT_SECRET,
    HOTMART_BASIC: fake.basic,
    HOTMART_API_URL: fake.apiUrl,
    HOTMART_TOKEN_URL: fake.tokenUrl,
    RECONCILE_FUNCTION: RUNNER,
    LAMBDA_ENDPOINT: `http://127.0.0.1:${(lambda.address() as { port: number }).port}`,
  });
  const [reconciliations, reconcile] = await Promise.all([import('../../functions/reconciliations/handler.ts'), import('../../functions/reconcile/handler.ts')]);
  runner = reconcile.handler as typeof runner;

  return {
    fake,
    invocations,
    /** How the stand-in Lambda treats invocations from now on. */
    setMode: (value: 'run' | 'hold' | 'refuse') => (mode = value),
    /** Runs the invocations held so far. */
    release: () => held.splice(0).forEach(execute),
    /** Waits for every run the API handed to the runner. */
    idle: async () => {
      while (pending.size) await Promise.all([...pending]);
    },
    /** A scheduled run of the school: what the schedule sends for it every hour, or daily (with the rule's input too). */
    scheduled: (timeoutMs = 900_000, input?: Record<string, unknown>) =>
      reconcile.handler({ ...(input ?? { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }), schoolId }, lambdaContext(timeoutMs)) as Promise<Record<string, unknown>>,
    invokeRunner: (payload: unknown) => reconcile.handler(payload, lambdaContext(900_000)) as Promise<Record<string, unknown>>,
    start: (body: unknown) =>
      at(reconciliations.handler, 'POST /reconciliations', {}, { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
    list: (query: Record<string, string> = {}) => at(reconciliations.handler, 'GET /reconciliations', {}, { query }),
    get: (id: string) => at(reconciliations.handler, 'GET /reconciliations/{id}', { id }),
    close: async () => {
      await Promise.all([fake.close(), new Promise<void>((resolve) => lambda.close(() => resolve()))]);
    },
  };
}
