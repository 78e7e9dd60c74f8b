// Security headers (helmet's defaults: HSTS, X-Frame-Options, nosniff, Referrer-Policy,
// Cross-Origin-Opener/Resource-Policy, …) on the dashboard and the API. Not on what shops
// embed from other origins (ingest, the SDK, the demo and legacy shop pages), where
// Cross-Origin-Resource-Policy: same-origin would block the pixel and the script. The
// dashboard's Content-Security-Policy stays the one static.ts sets on its pages.
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import helmet from 'helmet';

const SHOP_FACING = ['/v1/', '/upages/', '/js/', '/shop/', '/legacy/'];

const headers = helmet({ contentSecurityPolicy: false });

export const securityHeaders: onRequestHookHandler = (req: FastifyRequest, reply: FastifyReply, done) => {
  const path = req.url.split('?')[0];
  if (SHOP_FACING.some((prefix) => path.startsWith(prefix) || `${path}/` === prefix)) return done();
  headers(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
};
