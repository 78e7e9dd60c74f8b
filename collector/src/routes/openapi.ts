// The HTTP API as an OpenAPI 3.1 document, generated from the routes' own schemas
// (@fastify/swagger), served at /api/openapi.json: a shop's backend generates its client for
// purchases, refunds, segments and webhooks from it (docs/http-api.md).
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Batch } from '../../../src/protocol/schema.js';

const PIXEL = { description: 'a 1×1 GIF (also with status 429 over a rate limit)', content: { 'image/gif': { schema: { type: 'string', contentMediaType: 'image/gif' } } } };
// The pixels' query strings, documented (the routes read them themselves and answer an image whatever they hold).
const text = (description: string) => ({ type: 'string', description });
const slots = (description: string) => ({ type: 'array', items: { type: 'string' }, description });
const PIXEL_QUERY = {
  type: 'object',
  properties: { customerId: text('the customer (account) ID'), e: text('one event of the wire format, as JSON (docs/protocol.md)') },
};
const TI_PHP_QUERY = {
  type: 'object',
  properties: {
    ems_customer: text('the customer (account) ID'),
    ems_visitor: text("the event's visitor"),
    ems_session: text("the event's session"),
    ems_campaign: text("the email link's emst value; one over 512 characters or with control characters is dropped (direct traffic)"),
    ems_action: text('"purchase", or absent'),
    order: text('the order ID: an order; absent, a cart'),
    total: text('the total; required with order'),
    tax: text('0 when absent'),
    shipping: text('0 when absent'),
    city: text('the city'),
    country: text('the country (also as Country)'),
    'code[]': slots("the items' product codes, one per slot (also code[0] to code[499], as PHP's http_build_query writes them; the same for the other item lists)"),
    'category[]': slots("the items' categories"),
    'productname[]': slots("the items' names"),
    'price[]': slots("the items' unit prices"),
    'quantity[]': slots("the items' quantities"),
  },
};

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
      if (url === '/v1/pixel.gif' || url === '/upages/ti.php') {
        return { schema: { ...schema, response: { 200: PIXEL }, querystring: url === '/v1/pixel.gif' ? PIXEL_QUERY : TI_PHP_QUERY }, url };
      }
      const secured = url.startsWith('/api/v1/customers/');
      return { schema: secured ? { ...schema, security: [{ token: [] }, { session: [] }] } : schema, url };
    },
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
});
