// The HTTP API as an OpenAPI 3.1 document, generated from the routes' own schemas
// (@fastify/swagger), served at /api/openapi.json: a shop's backend generates its client for
// purchases, refunds, segments and webhooks from it (docs/http-api.md).
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Batch } from '../../../src/protocol/schema.js';

const PIXEL = { description: 'a 1×1 GIF (also with status 429 over a rate limit)', content: { 'image/gif': { schema: { type: 'string', contentMediaType: 'image/gif' } } } };
const ANY_QUERY = { type: 'object', additionalProperties: { type: 'string' } };

/** Registered before the routes, so it sees every one of them. */
export const openapi = fp(async (app: FastifyInstance) => {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'emarsys-track collector', version: '1', description: 'Ingest, reports and the advanced API. See docs/http-api.md.' },
      components: {
        securitySchemes: {
          token: { type: 'http', scheme: 'bearer', description: 'an API token: `et_<customerId>_…` (emarsys-collector tokens create)' },
          session: { type: 'apiKey', in: 'cookie', name: '__Host-et_session', description: 'the dashboard session (plain HTTP on localhost: et_session)' },
        },
      },
    },
    transform: ({ schema: given, url, route }) => {
      const schema = given ?? {};
      // the dashboard's and demo's static files, and CORS preflights, are not the API
      if (!/^\/(api|v1|upages)\//.test(url) || route.method === 'OPTIONS') return { schema: { ...schema, hide: true }, url };
      // the ingest route reads its body as text itself (text/plain, no CORS preflight): documented, not validated
      if (url === '/v1/events' && route.method === 'POST') return { schema: { ...schema, body: Batch }, url };
      // the pixels answer an image, whatever happens (their query strings: docs/protocol.md, docs/legacy.md)
      if (url === '/v1/pixel.gif' || url === '/upages/ti.php') return { schema: { ...schema, response: { 200: PIXEL }, ...(schema.querystring ? {} : { querystring: ANY_QUERY }) }, url };
      const secured = url.startsWith('/api/v1/customers/');
      return { schema: secured ? { ...schema, security: [{ token: [] }, { session: [] }] } : schema, url };
    },
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
});
