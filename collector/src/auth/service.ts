// Who is asking: dashboard logins (password → session cookie) and API tokens. Users of a
// customer only ever authenticate under that customer.
import type { Store } from '../store/store.js';
import type { Customer, Role, User } from '../store/types.js';
import { HttpError } from '../errors.js';
import { burnPasswordCheck, generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { LoginLimiter } from './rate-limit.js';
import { newApiToken, newSessionId, parseApiToken, parseSessionId } from './tokens.js';

/** A dashboard session lasts this long from login (absolute, not sliding). */
export const SESSION_TTL_MS = 12 * 3_600_000;
export const SESSION_COOKIE = 'et_session';

export interface Principal {
  user: User;
  via: 'token' | 'session';
}

export interface NewUser {
  user: User;
  token: string;
  /** set when the password was generated */
  generatedPassword?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthService;
  }
}

export class AuthService {
  private readonly limiter: LoginLimiter;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {
    this.limiter = new LoginLimiter(clock);
  }

  async createUser(customerId: string, email: string, role: Role, password?: string): Promise<NewUser> {
    const customer = await this.store.customers.get(customerId);
    if (!customer) throw new HttpError(404, 'unknown_customer', `customer: ${customerId} does not exist (add it with "customers add")`);
    const plain = password ?? generatePassword();
    const token = newApiToken(customerId);
    const user = await this.store.users.add(
      { customerId, email: email.toLowerCase(), role, passwordHash: await hashPassword(plain) },
      token.hash,
      this.clock(),
    );
    return { user, token: token.value, ...(password === undefined ? { generatedPassword: plain } : {}) };
  }

  async setPassword(customerId: string, email: string, password: string): Promise<boolean> {
    return this.store.users.setPassword(customerId, email.toLowerCase(), await hashPassword(password));
  }

  /** Checks a password; answers a new session. 401 on bad credentials, 429 when rate-limited. */
  async login(customerId: string, emailInput: string, password: string): Promise<{ session: string; expiresAt: number; user: User; customer: Customer }> {
    const email = emailInput.toLowerCase();
    const wait = this.limiter.retryAfter(customerId, email);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new HttpError(429, 'too_many_attempts', `password: too many failed logins; try again in ${seconds} s`, { 'retry-after': String(seconds) });
    }
    const user = await this.store.users.get(customerId, email);
    const ok = user ? await verifyPassword(password, user.passwordHash) : (await burnPasswordCheck(password), false);
    const customer = ok ? await this.store.customers.get(customerId) : undefined;
    if (!ok || !user || !customer) {
      this.limiter.fail(customerId, email);
      throw new HttpError(401, 'unauthorized', 'password: wrong customer ID, email or password');
    }
    this.limiter.succeed(customerId, email);
    const session = newSessionId(customerId);
    const now = this.clock();
    const expiresAt = now + SESSION_TTL_MS;
    await this.store.users.createSession(customerId, session.hash, email, expiresAt, now);
    return { session: session.value, expiresAt, user, customer };
  }

  async logout(cookie: string | undefined): Promise<void> {
    const s = cookie ? parseSessionId(cookie) : undefined;
    if (s) await this.store.users.deleteSession(s.customerId, s.hash);
  }

  /** The principal behind a bearer token or a session cookie; undefined when neither is valid. */
  async identify(authorization: string | undefined, cookie: string | undefined): Promise<Principal | undefined> {
    if (authorization) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      const t = m ? parseApiToken(m[1]) : undefined;
      const user = t && (await this.store.users.byToken(t.customerId, t.hash));
      return user ? { user, via: 'token' } : undefined;
    }
    const s = cookie ? parseSessionId(cookie) : undefined;
    const user = s && (await this.store.users.bySession(s.customerId, s.hash, this.clock()));
    return user ? { user, via: 'session' } : undefined;
  }
}
