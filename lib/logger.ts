/**
 * Structured JSON logs, one line each. Callers pass chosen fields only — never a request body,
 * a header or a token — so personal data and secrets cannot reach CloudWatch by accident.
 * (Hand-written rather than Powertools Logger to keep the webhook's cold start light.)
 */
type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
const ORDER: Record<Level, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 100 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export type Logger = {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
};

export function createLogger(service: string, level: string | undefined = process.env.LOG_LEVEL): Logger {
  const threshold = ORDER[(level?.toUpperCase() as Level) ?? 'INFO'] ?? ORDER.INFO;
  const write = (lvl: Exclude<Level, 'SILENT'>) => (message: string, fields: LogFields = {}) => {
    if (ORDER[lvl] < threshold) return;
    const line = JSON.stringify({ level: lvl, time: new Date().toISOString(), service, message, ...fields });
    (lvl === 'ERROR' || lvl === 'WARN' ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return { debug: write('DEBUG'), info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}
