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
