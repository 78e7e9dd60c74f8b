// The 1×1 transparent GIF every pixel route answers with, never cached.
import type { FastifyReply } from 'fastify';
import type { HttpError } from '../errors.js';

export const GIF_1X1: Buffer = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export function sendGif(reply: FastifyReply, status = 200): FastifyReply {
  return reply
    .code(status)
    // CORS open, as on POST /v1/events: a shop's script may fetch a pixel and read its status
    .header('access-control-allow-origin', '*')
    .header('content-type', 'image/gif')
    .header('cache-control', 'no-store, no-cache, must-revalidate, max-age=0')
    .header('pragma', 'no-cache')
    .header('expires', '0')
    .send(GIF_1X1);
}

/**
 * Answers HEAD on a pixel route with the GIF's headers and stores nothing: HEAD is a safe
 * method (link checkers and prefetchers send it), so it must not record a hit.
 */
export function headOnly(path: string) {
  return { method: 'HEAD' as const, url: path, handler: async (_req: unknown, reply: FastifyReply) => sendGif(reply) };
}

/** Over a rate limit: the GIF still (a pixel never shows as broken), with 429 and Retry-After; the hit is not stored. */
export function sendRateLimitedGif(reply: FastifyReply, err: HttpError): FastifyReply {
  return sendGif(reply.headers(err.headers), 429);
}
