// Errors that carry their HTTP answer: `{ error: code, message: "<field>: <reason>" }`.

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (field: string, reason: string) => new HttpError(400, 'invalid_request', `${field}: ${reason}`);
export const notFound = (field: string, reason: string) => new HttpError(404, 'not_found', `${field}: ${reason}`);

/**
 * The database cannot be reached (restarting, failing over). Every route answers 503 with
 * Retry-After; the SDK retries, and a retried event is recognised by its ID, never stored twice.
 */
export class DatabaseUnavailableError extends HttpError {
  constructor(readonly cause: unknown) {
    super(503, 'unavailable', 'database: not reachable right now (restarting or failing over); retry in a few seconds', { 'retry-after': '2' });
  }
}
