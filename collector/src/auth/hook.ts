// Access to /api/v1/customers/:customerId/…: one onRequest hook for the whole folder of
// routes. No credentials: 401. Another customer's, or a role the route does not allow: 403.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { HttpError } from '../errors.js';
import type { Role } from '../store/types.js';
import { SESSION_COOKIE, type AuthService, type Principal } from './service.js';

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
    const principal = await auth.identify(req.headers.authorization, req.cookies[SESSION_COOKIE]);
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
