// GET /upages/ti.php: the Suite's legacy image pixel (docs/legacy.md). It always answers the 1×1
// GIF, so a shop's page never shows a broken image; what it cannot store is kept as a
// rejected event with its reason. The query is read raw (Fastify's parsed query would cut a
// value at an unencoded `&`): see legacy/ti-php.ts and docs/legacy.md.
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../../src/protocol/index.js';
import { RateLimitedError } from '../ingest/limits.js';
import { UnknownCustomerError, type IngestContext } from '../ingest/service.js';
import { parseTiPhp } from '../legacy/ti-php.js';
import { logFailure } from './errors.js';
import { headOnly, sendGif, sendRateLimitedGif } from './gif.js';

export default async function legacyPixelRoutes(app: FastifyInstance): Promise<void> {
  app.route(headOnly(ROUTES.legacyPixel));
  app.get(ROUTES.legacyPixel, { exposeHeadRoute: false }, async (request, reply) => {
    const url = request.raw.url ?? '';
    const at = url.indexOf('?');
    const query = at < 0 ? '' : url.slice(at + 1);
    const ctx: IngestContext = { source: 'ti.php', receivedAt: app.clock() };
    try {
      await app.ingestLimiter.checkAddress(request);
      const hit = parseTiPhp(query, ctx.receivedAt!);
      if (!hit.ok) {
        await app.ingest.reject(hit.customerId, query, hit.reason, ctx);
      } else {
        try {
          // An event the protocol refuses comes back in `rejected`, already kept with its reason.
          await app.ingest.ingest(hit.customerId, [hit.event], ctx);
        } catch (err) {
          if (!(err instanceof UnknownCustomerError)) throw err;
          await app.ingest.reject(err.customerId, query, `ems_customer: ${JSON.stringify(err.customerId)} is not a customer of this collector`, ctx);
        }
      }
    } catch (err) {
      if (err instanceof RateLimitedError) return sendRateLimitedGif(reply, err);
      logFailure(request, err, 'legacy ti.php hit could not be stored');
    }
    return sendGif(reply);
  });
}
