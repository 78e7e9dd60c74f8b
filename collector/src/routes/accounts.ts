// A customer's users and API tokens (docs/http-api.md, Users and tokens), for its `admin`
// users: the same lifecycle as the CLI's `users …` and `tokens …` commands. A new password or
// a removed user ends that user's sessions and revokes its tokens on the next request.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static, type TNull, type TSchema } from '@sinclair/typebox';
import { EMAIL_PATTERN } from '../../../src/protocol/constants.js';
import { parseDuration } from '../config.js';
import { ROLES, type ApiToken, type User } from '../store/types.js';
import { badRequest } from '../errors.js';
import { ErrorBody, NoContent } from './errors.js';
import { CustomerParams } from './reports.js';

const roles = ['admin'] as const;
const customerId = CustomerParams.properties.customerId;
const EmailText = Type.String({ maxLength: 254, pattern: EMAIL_PATTERN });
const RoleName = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Password = Type.String({ minLength: 8, maxLength: 1024 });
const Duration = Type.String({ pattern: '^[0-9]{1,7}[smhd]$', description: 'a duration such as 90d, 12h, 30m or 90s' });

const UserParams = Type.Object({ customerId, email: EmailText });
const TokenParams = Type.Object({ customerId, tokenId: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'a token ID (16 hex digits)' }) });
const NewUserBody = Type.Object({ email: EmailText, role: RoleName, password: Type.Optional(Password) }, { additionalProperties: false });
const PasswordBody = Type.Object({ password: Type.Optional(Password) }, { additionalProperties: false });
const RoleBody = Type.Object({ role: RoleName }, { additionalProperties: false });
const NewTokenBody = Type.Object({ email: EmailText, expires: Type.Optional(Duration) }, { additionalProperties: false });

const UserJson = Type.Object({ email: Type.String(), role: Type.String(), createdAt: Type.String() });
const TokenJson = Type.Object({
  id: Type.String(),
  email: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const userJson = (u: User) => ({ email: u.email, role: u.role, createdAt: iso(u.createdAt) });
const tokenJson = (t: ApiToken) => ({ id: t.id, email: t.email, createdAt: iso(t.createdAt), expiresAt: isoOrNull(t.expiresAt), lastUsedAt: isoOrNull(t.lastUsedAt) });

type Req<P extends TSchema, B extends TSchema = TNull> = FastifyRequest<{ Params: Static<P>; Body: Static<B> }>;

export async function accountRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/users',
    { config: { roles }, schema: { params: CustomerParams, response: { 200: Type.Object({ users: Type.Array(UserJson) }), '4xx': ErrorBody } } },
    async (req: Req<typeof CustomerParams>) => ({ users: (await app.auth.listUsers(req.params.customerId)).map(userJson) }),
  );

  app.post(
    '/users',
    {
      config: { roles },
      schema: {
        params: CustomerParams,
        body: NewUserBody,
        response: { 201: Type.Object({ user: UserJson, token: Type.String(), password: Type.Optional(Type.String()) }), '4xx': ErrorBody },
      },
    },
    async (req: Req<typeof CustomerParams, typeof NewUserBody>, reply: FastifyReply) => {
      const { email, role, password } = req.body;
      const made = await app.auth.createUser(req.params.customerId, email, role, password);
      return reply.code(201).send({ user: userJson(made.user), token: made.token, ...(made.generatedPassword ? { password: made.generatedPassword } : {}) });
    },
  );

  app.delete(
    '/users/:email',
    { config: { roles }, schema: { params: UserParams, response: { 204: NoContent, '4xx': ErrorBody } } },
    async (req: Req<typeof UserParams>, reply: FastifyReply) => {
      await app.auth.removeUser(req.params.customerId, req.params.email);
      return reply.code(204).send();
    },
  );

  app.put(
    '/users/:email/password',
    {
      config: { roles },
      schema: { params: UserParams, body: PasswordBody, response: { 200: Type.Object({ password: Type.Optional(Type.String()) }), '4xx': ErrorBody } },
    },
    async (req: Req<typeof UserParams, typeof PasswordBody>) => {
      const set = await app.auth.setPassword(req.params.customerId, req.params.email, req.body.password);
      return set.generated ? { password: set.password } : {};
    },
  );

  app.put(
    '/users/:email/role',
    { config: { roles }, schema: { params: UserParams, body: RoleBody, response: { 200: Type.Object({ user: UserJson }), '4xx': ErrorBody } } },
    async (req: Req<typeof UserParams, typeof RoleBody>) => ({
      user: userJson(await app.auth.setRole(req.params.customerId, req.params.email, req.body.role)),
    }),
  );

  app.get(
    '/tokens',
    { config: { roles }, schema: { params: CustomerParams, response: { 200: Type.Object({ tokens: Type.Array(TokenJson) }), '4xx': ErrorBody } } },
    async (req: Req<typeof CustomerParams>) => ({ tokens: (await app.auth.listTokens(req.params.customerId)).map(tokenJson) }),
  );

  app.post(
    '/tokens',
    {
      config: { roles },
      schema: {
        params: CustomerParams,
        body: NewTokenBody,
        response: { 201: Type.Object({ id: Type.String(), token: Type.String(), email: Type.String(), expiresAt: Type.Union([Type.String(), Type.Null()]) }), '4xx': ErrorBody },
      },
    },
    async (req: Req<typeof CustomerParams, typeof NewTokenBody>, reply: FastifyReply) => {
      const { email, expires } = req.body;
      let ms: number | undefined;
      try {
        ms = expires === undefined ? undefined : parseDuration(expires, 'expires');
      } catch {
        // the pattern lets "0s" through; a token that expires at once is no token
        throw badRequest('expires', 'must be longer than 0');
      }
      const made = await app.auth.createToken(req.params.customerId, email, ms);
      return reply.code(201).send({ id: made.id, token: made.token, email: email.toLowerCase(), expiresAt: isoOrNull(made.expiresAt) });
    },
  );

  app.delete(
    '/tokens/:tokenId',
    { config: { roles }, schema: { params: TokenParams, response: { 204: NoContent, '4xx': ErrorBody } } },
    async (req: Req<typeof TokenParams>, reply: FastifyReply) => {
      await app.auth.revokeToken(req.params.customerId, req.params.tokenId);
      return reply.code(204).send();
    },
  );
}
