/** A command line the CLI cannot run (exit 2). */
export class UsageError extends Error {}

/** The API answered an error (exit 1), with its status and stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const detail = error ? `${error.code}: ${error.message}` : typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body);
    super(`${status} ${detail}`);
  }
}
