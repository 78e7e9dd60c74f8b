// The dashboard login (docs/http-api.md, Session): password → HttpOnly SameSite=Lax cookie
// (auth/cookie.ts: Secure with the __Host- prefix unless served over plain HTTP on this machine).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from '../auth/cookie.js';
import { dashboardOriginHook } from '../auth/hook.js';
import { SESSION_TTL_MS } from '../auth/service.js';
import { TEXT_PATTERN } from '../../../src/protocol/constants.js';
import { CustomerId } from '../../../src/protocol/schema.js';
import { HttpError } from '../errors.js';
import type { Customer, User } from '../store/types.js';
import { ErrorBody, NoContent } from './errors.js';

const LoginBody = Type.Object(
  {
    customerId: CustomerId,
    email: Type.String({ minLength: 1, maxLength: 254, pattern: TEXT_PATTERN }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

const UserBody = Type.Object({
  user: Type.Object({
    email: Type.String(),
    role: Type.String(),
    customerId: Type.String(),
    customerName: Type.String(),
    currency: Type.String(),
  }),
});

const userJson = (user: User, customer: Customer) => ({
  user: { email: user.email, role: user.role, customerId: user.customerId, customerName: customer.name, currency: customer.currency },
});

export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', dashboardOriginHook);
  app.post(
    '/api/v1/session',
    { schema: { body: LoginBody, response: { 200: UserBody, '4xx': ErrorBody } } },
    async (req: FastifyRequest<{ Body: Static<typeof LoginBody> }>, reply: FastifyReply) => {
      const { customerId, email, password } = req.body;
      const { session, user, customer } = await app.auth.login(customerId, email, password, req.ip);
      setSessionCookie(req, reply, session, SESSION_TTL_MS / 1000);
      return userJson(user, customer);
    },
  );

  app.get('/api/v1/session', { schema: { response: { 200: UserBody, '4xx': ErrorBody } } }, async (req: FastifyRequest) => {
    const principal = await app.auth.identify(req.headers.authorization, readSessionCookie(req));
    const customer = principal && (await app.store.customers.get(principal.user.customerId));
    if (!principal || !customer) throw new HttpError(401, 'unauthorized', 'session: not logged in');
    return userJson(principal.user, customer);
  });

  app.delete('/api/v1/session', { schema: { response: { 204: NoContent } } }, async (req: FastifyRequest, reply: FastifyReply) => {
    await app.auth.logout(readSessionCookie(req));
    clearSessionCookie(req, reply);
    return reply.code(204).send();
  });
}
