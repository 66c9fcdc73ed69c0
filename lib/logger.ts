/**
 * Structured JSON logs, one line each. Callers pass chosen fields only — never a request body,
 * a header or a token — so personal data and secrets cannot reach CloudWatch by accident.
 * (Hand-written rather than Powertools Logger to keep the webhook's cold start light.)
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

/** `level` is the configuration's (LOG_LEVEL, lib/config.ts); unknown or absent: INFO. */
export function createLogger(service: string, level: string = 'INFO'): Logger {
  const threshold = ORDER[level.toUpperCase() as Level] ?? ORDER.INFO;
  const write = (lvl: Exclude<Level, 'SILENT'>) => (message: string, fields: LogFields = {}) => {
    if (ORDER[lvl] < threshold) return;
    const line = JSON.stringify({ level: lvl, time: new Date().toISOString(), service, message, ...fields });
    (lvl === 'ERROR' || lvl === 'WARN' ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return { debug: write('DEBUG'), info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}
