// GET /v1/pixel.gif?customerId=…&e=<JSON event>: the modern pixel. It always answers the
// 1×1 GIF (a pixel never shows as broken); what it cannot accept is kept as rejected.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ROUTES } from '../../../src/protocol/index.js';
import { RateLimitedError } from '../ingest/limits.js';
import { UnknownCustomerError, type IngestContext } from '../ingest/service.js';
import { logFailure } from './errors.js';
import { headOnly, sendGif, sendRateLimitedGif } from './gif.js';

const CUSTOMER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function pixelRoutes(app: FastifyInstance): Promise<void> {
  app.route(headOnly(ROUTES.pixel));
  app.get(ROUTES.pixel, { exposeHeadRoute: false }, async (req: FastifyRequest, reply) => {
    const raw = req.url;
    // the URL is the request: an event that cannot be serialised again is kept as it
    const ctx: IngestContext = { source: 'pixel', body: Buffer.from(raw) };
    const q = req.query as Record<string, unknown>;
    const customerId = q.customerId;
    const e = q.e;
    try {
      await app.ingestLimiter.checkAddress(req);
      if (typeof customerId !== 'string' || customerId === '') {
        await app.ingest.reject(null, raw, 'customerId: is required (once)', ctx);
      } else if (!CUSTOMER_ID.test(customerId)) {
        await app.ingest.reject(null, raw, 'customerId: must contain only letters, digits, "_" and "-"', ctx);
      } else if (typeof e !== 'string' || e === '') {
        await app.ingest.reject(customerId, raw, 'e: is required (once): the event as JSON', ctx);
      } else {
        let event: unknown;
        try {
          event = JSON.parse(e);
        } catch (err) {
          await app.ingest.reject(customerId, raw, `e: is not valid JSON (${(err as Error).message})`, ctx);
          return sendGif(reply);
        }
        try {
          await app.ingest.ingest(customerId, [event], ctx);
        } catch (err) {
          if (!(err instanceof UnknownCustomerError)) throw err;
          await app.ingest.reject(err.customerId, raw, err.message, ctx);
        }
      }
    } catch (err) {
      if (err instanceof RateLimitedError) return sendRateLimitedGif(reply, err);
      logFailure(req, err, 'pixel event could not be stored');
    }
    return sendGif(reply);
  });
}
