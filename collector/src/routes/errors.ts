// One error answer for every route: `{ error, message }` with "<field>: <reason>".
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { LIMITS } from '../../../src/protocol/index.js';
import { DatabaseUnavailableError, HttpError } from '../errors.js';
import { failureOf } from '../store/failures.js';

/** The answer of a route that answers 204 with no body. */
export const NoContent = Type.Null({ description: 'no content' });

export const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() });

export const BODY_TOO_LARGE = `body: must be at most ${LIMITS.bodyBytes} bytes (512 KiB)`;

/** Fastify's own errors, in the API's words. */
const FASTIFY: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', BODY_TOO_LARGE],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'body: is not valid JSON'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'content-type: must be application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_request', 'content-length: does not match the body'],
  FST_ERR_BAD_URL: [400, 'invalid_request', 'url: is not a valid URL (a malformed %-sequence)'],
};

export function errorAnswer(err: FastifyError | Error): { status: number; body: { error: string; message: string }; headers: Record<string, string> } {
  // a client that closed the connection mid-body (Node's "aborted"): no server error to log
  if ((err as FastifyError).code === 'ECONNRESET' && err.message === 'aborted') {
    return { status: 400, body: { error: 'invalid_request', message: 'body: the connection closed before all of it arrived' }, headers: {} };
  }
  const failure = err instanceof HttpError ? undefined : failureOf(err);
  // a lost database connection that reached here untranslated still gets its 503
  if (failure === 'unreachable') return errorAnswer(new DatabaseUnavailableError(err));
  // a statement the database could not run now (a lock or statement timeout, a full disk, a
  // deadlock): nothing was stored, and the same request may pass in a moment
  if (failure === 'busy') {
    return { status: 503, body: { error: 'unavailable', message: 'database: busy right now (a lock or statement timeout, or a full disk); retry in a few seconds' }, headers: { 'retry-after': '2' } };
  }
  if (err instanceof HttpError) return { status: err.statusCode, body: { error: err.code, message: err.message }, headers: err.headers };
  const e = err as FastifyError;
  const known = e.code ? FASTIFY[e.code] : undefined;
  if (known) return { status: known[0], body: { error: known[1], message: known[2] }, headers: {} };
  if (e.validation !== undefined || e.code === 'FST_ERR_VALIDATION' || e.code === 'invalid_request') {
    return { status: 400, body: { error: 'invalid_request', message: e.message }, headers: {} };
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { error: 'bad_request', message: `request: ${e.message}` }, headers: {} };
  }
  return { status: 500, body: { error: 'internal_error', message: 'server: internal error; the request was not stored, retry later' }, headers: {} };
}

/**
 * Logs a request that failed on our side: a 503 (database restarting, queue full: a passing
 * state the client retries) as one short warning, without a stack (a failover answers every
 * request so); any other server error as an error, with it.
 */
export function logFailure(request: FastifyRequest, err: unknown, what: string, a = errorAnswer(err as Error)): void {
  if (a.status === 503) request.log.warn(`${what}: ${a.body.message}`);
  else if (a.status >= 500) request.log.error({ err }, what);
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const a = errorAnswer(err);
  logFailure(request, err, 'request failed', a);
  return reply.code(a.status).headers(a.headers).send(a.body);
}
