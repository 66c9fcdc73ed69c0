import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Context } from 'aws-lambda';
import type { HotmartApiOptions } from '#lib/adapters/hotmart/api-client.ts';
import { createHotmartApi } from '#lib/adapters/hotmart/api-client.ts';
import type { FakeHotmart, FakeHotmartOptions } from '../../scripts/fake-hotmart-api.ts';
import { startFakeHotmartApi } from '../../scripts/fake-hotmart-api.ts';
import { connectHotmart } from './schools.ts';
import { lambdaContext, SCHOOL, schoolRoute } from './stack.ts';

export const CLIENT_ID = 'test-client-id-5f1c2a';
export const CLIENT_SECRET = 'test-client-secret-9d8e7f6a5b4c';
const RUNNER = 'test-reconcile';
const FANOUT = 'test-reconcile-fanout';

/** The real client, pointed at a fake Hotmart API with the test credentials (or others). */
export function clientFor(fake: Pick<FakeHotmart, 'basic' | 'tokenUrl' | 'apiUrl'>, credentials: Partial<HotmartApiOptions['credentials']> = {}) {
  return createHotmartApi({ credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, basic: fake.basic, ...credentials }, tokenUrl: fake.tokenUrl, apiUrl: fake.apiUrl });
}

/**
 * The reconciliation side of the stack, in process: the fake Hotmart API, and a stand-in for
 * Lambda's Invoke API on 127.0.0.1 that runs the runner handler, so `POST /reconciliations`
 * goes through the real Lambda client; so does the schedules' fan-out (functions/reconcile-fanout),
 * whose next steps the stand-in runs too. Call after createTestStack() and before loadHandlers():
 * the handlers read their configuration at import. A school reconciles with its own credentials:
 * `connect()` stores them through the credentials route.
 */
export async function startReconciliationStack(options: Partial<FakeHotmartOptions> & { fanOutPageSize?: number } = {}, schoolId = SCHOOL) {
  const at = schoolRoute(schoolId);
  const fake = await startFakeHotmartApi({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });
  const pending = new Set<Promise<unknown>>();
  const invocations: { functionName: string; type: string; payload: unknown }[] = [];
  let runner: ((event: unknown, context: Context) => Promise<unknown>) | undefined;
  let fanOut: ((event: unknown, context: Context) => Promise<unknown>) | undefined;
  /** run: invoke at once; hold: accept and run on release(); refuse: answer as a throttled Lambda would. */
  let mode: 'run' | 'hold' | 'refuse' = 'run';
  const held: unknown[] = [];
  const execute = (payload: unknown, handler = runner!) => {
    const run = handler(payload, lambdaContext(900_000));
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
      if (functionName === FANOUT && fanOut && mode !== 'refuse') {
        execute(payload, fanOut);
        response.writeHead(202);
        response.end();
        return;
      }
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
    HOTMART_API_URL: fake.apiUrl,
    HOTMART_TOKEN_URL: fake.tokenUrl,
    RECONCILE_FUNCTION: RUNNER,
    RECONCILE_FANOUT_FUNCTION: FANOUT,
    ...(options.fanOutPageSize ? { RECONCILE_FANOUT_PAGE_SIZE: String(options.fanOutPageSize) } : {}),
    LAMBDA_ENDPOINT: `http://127.0.0.1:${(lambda.address() as { port: number }).port}`,
  });
  const [reconciliations, reconcile, fanOutFunction] = await Promise.all([
    import('../../functions/reconciliations/handler.ts'),
    import('../../functions/reconcile/handler.ts'),
    import('../../functions/reconcile-fanout/handler.ts'),
  ]);
  runner = reconcile.handler as typeof runner;
  fanOut = fanOutFunction.handler as typeof fanOut;

  return {
    fake,
    invocations,
    /** How the stand-in Lambda treats invocations from now on. */
    setMode: (value: 'run' | 'hold' | 'refuse') => (mode = value),
    /** Runs the invocations held so far. */
    release: () => held.splice(0).forEach((payload) => execute(payload)),
    /** Waits for every run the API handed to the runner. */
    idle: async () => {
      while (pending.size) await Promise.all([...pending]);
    },
    /** A scheduled run of the school: what the schedule sends for it every hour, or daily (with the rule's input too). */
    scheduled: (timeoutMs = 900_000, input?: Record<string, unknown>) =>
      reconcile.handler({ ...(input ?? { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }), schoolId }, lambdaContext(timeoutMs)) as Promise<Record<string, unknown>>,
    /** Stores a school's credentials through the credentials route (the test credential of the fake API unless given). */
    connect: (id = schoolId, credentials: { clientId: string; clientSecret: string; basic?: string; sandbox?: boolean } = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }) => connectHotmart(id, credentials),
    /** What the hourly schedule does (or the daily one, with its input): the fan-out's first step, awaited with every run and step it started. */
    fanOut: async (input: Record<string, unknown> = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }) => {
      const first = (await fanOutFunction.handler(input)) as Record<string, unknown>;
      while (pending.size) await Promise.all([...pending]);
      return first;
    },
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
