import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Structured JSON logs, one line each. Callers pass chosen fields only — never a request body,
 * a header or a token — so personal data and secrets cannot reach CloudWatch by accident.
 * Every line logged inside an invocation (withInvocation) carries its request id, the cold-start
 * flag and, once known, the school and the outcome. Hand-written rather than Powertools Logger:
 * measured lighter on the webhook's cold start (BENCHMARKS.md, "Logs and metrics").
 */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;
export type Level = (typeof LOG_LEVELS)[number];
const ORDER: Record<Level, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 100 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export type Logger = {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
};

/** What every line of one invocation carries. */
export type InvocationContext = { requestId: string; coldStart: boolean; schoolId?: string; outcome?: string };

const invocations = new AsyncLocalStorage<InvocationContext>();
let cold = true;

/** Runs one invocation with its context (the first of this Lambda instance is the cold start). */
export function withInvocation<T>(requestId: string, run: () => T): T {
  if (invocations.getStore()) return run();
  const context: InvocationContext = { requestId, coldStart: cold };
  cold = false;
  return invocations.run(context, run);
}

/** The current invocation's context (undefined outside one). */
export const invocationContext = (): InvocationContext | undefined => invocations.getStore();

/** Sets the school or the outcome of the current invocation, for every line logged after. */
export function setLogContext(fields: Partial<Pick<InvocationContext, 'schoolId' | 'outcome'>>): void {
  const context = invocations.getStore();
  if (context) Object.assign(context, fields);
}

/** `level` is the configuration's (LOG_LEVEL, lib/config.ts); unknown or absent: INFO. */
export function createLogger(service: string, level: string = 'INFO'): Logger {
  const threshold = ORDER[level.toUpperCase() as Level] ?? ORDER.INFO;
  const write = (lvl: Exclude<Level, 'SILENT'>) => (message: string, fields: LogFields = {}) => {
    if (ORDER[lvl] < threshold) return;
    const line = JSON.stringify({ level: lvl, time: new Date().toISOString(), service, ...invocations.getStore(), message, ...fields });
    (lvl === 'ERROR' || lvl === 'WARN' ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return { debug: write('DEBUG'), info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}

/** A Lambda handler whose every log line carries its invocation's context (request id, cold start). */
export function inInvocation<E, C, R>(handler: (event: E, context: C) => Promise<R>): (event: E, context: C) => Promise<R> {
  return (event, context) => withInvocation((context as { awsRequestId?: string } | undefined)?.awsRequestId ?? 'unknown', () => handler(event, context));
}
