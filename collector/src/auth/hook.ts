// Access to /api/v1/customers/:customerId/…: one onRequest hook for the whole folder of
// routes. No credentials: 401. Another customer's, or a role the route does not allow: 403.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { HttpError } from '../errors.js';
import type { Role } from '../store/types.js';
import { readSessionCookie } from './cookie.js';
import type { AuthService, Principal } from './service.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** roles allowed on this route (default: ecommerce-admin) */
    roles?: readonly Role[];
  }
}

export function customerAccessHook(auth: AuthService): onRequestAsyncHookHandler {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const principal = await auth.identify(req.headers.authorization, readSessionCookie(req));
    if (!principal) {
      throw new HttpError(401, 'unauthorized', 'authorization: log in, or send Authorization: Bearer <api token>', {
        'www-authenticate': 'Bearer',
      });
    }
    const customerId = (req.params as { customerId?: string }).customerId;
    if (principal.user.customerId !== customerId) {
      throw new HttpError(403, 'forbidden', 'customerId: these credentials do not give access to this customer');
    }
    const roles = req.routeOptions.config.roles ?? ['ecommerce-admin'];
    if (!roles.includes(principal.user.role)) {
      throw new HttpError(403, 'forbidden', `role: this needs the ${roles.join(' or ')} role; yours is ${principal.user.role}`);
    }
    req.principal = principal;
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A request that changes something and carries the session cookie (and no API token, which
 * another site cannot make a browser send) must come from the dashboard's own origin, as
 * the request sees it (scheme and host, from X-Forwarded-* under --trust-proxy): SameSite=Lax
 * alone lets a sibling subdomain post. 403 otherwise.
 */
export const dashboardOriginHook: onRequestAsyncHookHandler = async (req: FastifyRequest) => {
  if (SAFE_METHODS.has(req.method) || req.headers.authorization || readSessionCookie(req) === undefined) return;
  const expected = `${req.protocol}://${req.host}`.toLowerCase();
  const origin = req.headers.origin;
  if (origin?.toLowerCase() !== expected) {
    throw new HttpError(
      403,
      'forbidden',
      `origin: a request with the session cookie that changes something must come from the dashboard (Origin ${expected}); got ${origin === undefined ? 'no Origin' : JSON.stringify(origin.slice(0, 200))}`,
    );
  }
};
