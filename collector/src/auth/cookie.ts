// The dashboard's session cookie (docs/collector.md, Cookies). Secure, and then named with the
// `__Host-` prefix (Path=/, no Domain, so no sibling subdomain can set or shadow it), unless
// the dashboard is served over plain HTTP on this machine, where browsers refuse Secure
// cookies. Scheme and host are the request's, from X-Forwarded-* under --trust-proxy.
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'et_session';
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isSecure(req: FastifyRequest): boolean {
  return req.protocol === 'https' || !LOCAL_HOSTS.has(req.hostname.toLowerCase());
}

const cookieName = (req: FastifyRequest) => (isSecure(req) ? SECURE_SESSION_COOKIE : SESSION_COOKIE);

/** The session cookie under the name this request's origin uses (a plain one is ignored over HTTPS). */
export function readSessionCookie(req: FastifyRequest): string | undefined {
  return req.cookies[cookieName(req)];
}

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  reply.setCookie(cookieName(req), value, { httpOnly: true, sameSite: 'lax', path: '/', secure: isSecure(req), maxAge: maxAgeSeconds });
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(cookieName(req), { httpOnly: true, sameSite: 'lax', path: '/', secure: isSecure(req) });
}
