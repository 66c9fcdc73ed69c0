export type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv };

const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

/** A plain text table: one row per item, the columns given (a column is a key, or [title, value of the row]). */
export function table(rows: readonly unknown[], columns: (string | [string, (row: any) => unknown])[]): string {
  if (rows.length === 0) return '(none)\n';
  const heads = columns.map((column) => (typeof column === 'string' ? column : column[0]));
  const lines = rows.map((row: any) => columns.map((column) => cell(typeof column === 'string' ? row[column] : column[1](row))));
  const widths = heads.map((head, i) => Math.min(60, Math.max(head.length, ...lines.map((line) => line[i]!.length))));
  const format = (line: string[]) => line.map((value, i) => (value.length > widths[i]! ? `${value.slice(0, widths[i]! - 1)}…` : value.padEnd(widths[i]!))).join('  ').trimEnd();
  return [format(heads), format(widths.map((width) => '-'.repeat(width))), ...lines.map(format)].join('\n') + '\n';
}

/** `key: value` lines of an object's scalar fields (nested ones as JSON). */
export function fields(value: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(value).map((key) => key.length));
  return Object.entries(value).map(([key, v]) => `${key.padEnd(width)}  ${cell(v)}`).join('\n') + '\n';
}

export type Printer = {
  /** The machine output (`--json`) is `data`; otherwise `text()` is printed. */
  result(data: unknown, text: () => string): void;
  /** Progress of a long operation, on stderr (never mixed with the output). */
  progress(message: string): void;
};

export function printer(io: Io, json: boolean): Printer {
  return {
    result(data, text) {
      io.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : text());
    },
    progress(message) {
      io.stderr.write(`${message}\n`);
    },
  };
}
