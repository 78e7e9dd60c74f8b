// The 1×1 transparent GIF every pixel route answers with, never cached.
import type { FastifyReply } from 'fastify';

export const GIF_1X1: Buffer = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export function sendGif(reply: FastifyReply): FastifyReply {
  return reply
    .code(200)
    .header('content-type', 'image/gif')
    .header('cache-control', 'no-store, no-cache, must-revalidate, max-age=0')
    .header('pragma', 'no-cache')
    .header('expires', '0')
    .send(GIF_1X1);
}
