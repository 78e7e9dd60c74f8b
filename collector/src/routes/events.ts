// POST /v1/events: a batch from the SDK (text/plain, so browsers send it without a CORS
// preflight) or any JSON client. CORS is open to every shop origin; cookies are never used.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BatchResult, LIMITS, ROUTES } from '../../../src/protocol/index.js';
import { HttpError } from '../errors.js';
import { UnknownCustomerError, type IngestContext } from '../ingest/service.js';
import { parseBatch } from '../validation/events.js';
import { formatFieldError } from '../validation/messages.js';
import { BODY_TOO_LARGE, ErrorBody, errorAnswer, logFailure } from './errors.js';

export function corsHeaders(reply: FastifyReply): void {
  reply.header('access-control-allow-origin', '*');
  // The SDK waits as long as a 429's or 503's Retry-After asks: a page may only read it if exposed.
  reply.header('access-control-expose-headers', 'retry-after');
}

/** The customer a body names, if it can be read at all (to file a rejected request under it). */
function claimedCustomer(text: string): string | null {
  try {
    const id = (JSON.parse(text) as { customerId?: unknown })?.customerId;
    return typeof id === 'string' && id.length <= 64 ? id : null;
  } catch {
    return null;
  }
}

export async function eventRoutes(app: FastifyInstance): Promise<void> {
  // this plugin reads every body as bytes, whatever its content type, and parses it itself:
  // a refused request is hashed as received, not encoded again from its text
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: LIMITS.bodyBytes }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    corsHeaders(reply);
    // before the body is read: a client over its limit costs no parsing
    if (req.method === 'POST') await app.ingestLimiter.checkAddress(req);
  });

  app.setErrorHandler(async (err, req, reply) => {
    corsHeaders(reply);
    const a = errorAnswer(err as Error);
    if (a.status === 413) {
      await app.ingest.reject(null, '', BODY_TOO_LARGE, { source: 'sdk' }).catch((e: unknown) => req.log.error({ err: e }, 'could not keep a rejected request'));
    }
    logFailure(req, err, 'ingest failed', a);
    return reply.code(a.status).headers(a.headers).send(a.body);
  });

  app.options(ROUTES.events, async (_req, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '86400')
      .send(),
  );

  app.post(
    ROUTES.events,
    {
      bodyLimit: LIMITS.bodyBytes,
      schema: { response: { 200: BatchResult, '4xx': ErrorBody } },
    },
    async (req: FastifyRequest) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const text = body.toString('utf8');
      const ctx: IngestContext = { source: 'sdk', body };
      if (text.trim() === '') {
        const message = 'body: is empty; send a JSON batch { v, customerId, events }';
        await app.ingest.reject(null, '', message, ctx);
        throw new HttpError(400, 'invalid_batch', message);
      }
      const batch = parseBatch(text);
      if (!batch.ok) {
        const message = formatFieldError(batch.error);
        await app.ingest.reject(claimedCustomer(text), body, message, ctx);
        throw new HttpError(400, batch.error.field === 'body' ? 'invalid_json' : 'invalid_batch', message);
      }
      ctx.source = batch.value.source ?? 'sdk';
      try {
        return await app.ingest.ingest(batch.value.customerId, batch.value.events, ctx);
      } catch (err) {
        if (err instanceof UnknownCustomerError) await app.ingest.reject(err.customerId, body, err.message, ctx);
        throw err;
      }
    },
  );
}
