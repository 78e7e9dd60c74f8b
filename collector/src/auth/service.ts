// Who is asking: dashboard logins (password → session cookie) and API tokens; and the
// credentials' lifecycle (users, passwords, roles, tokens) that the CLI and the admin API share.
// Users of a customer only ever authenticate under that customer.
import type { Store } from '../store/store.js';
import type { ApiToken, Customer, Role, User } from '../store/types.js';
import { HttpError } from '../errors.js';
import { burnPasswordCheck, generatePassword, hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { LoginLimiter } from './rate-limit.js';
import { newApiToken, newSessionId, parseApiToken, parseSessionId, tokenId } from './tokens.js';

/** A dashboard session lasts this long from login (absolute, not sliding). */
export const SESSION_TTL_MS = 12 * 3_600_000;
/**
 * Password hashes computed at once (each takes 128 MiB and most of a core for a fraction of a
 * second); more answer 429 at once instead of queueing on libuv's four threads, which file
 * and DNS work share.
 */
export const MAX_CONCURRENT_HASHES = 2;

export interface Principal {
  user: User;
  via: 'token' | 'session';
}

export interface NewToken {
  id: string;
  /** the token itself: shown once, only its hash is stored */
  token: string;
  expiresAt: number | null;
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

const noSuchUser = (customerId: string, email: string) => new HttpError(404, 'not_found', `email: customer ${customerId} has no user ${email}`);

export class AuthService {
  private readonly limiter: LoginLimiter;
  private hashing = 0;
  private reservedHashing = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {
    this.limiter = new LoginLimiter(clock);
  }

  /**
   * Runs password hashing within MAX_CONCURRENT_HASHES; 429 beyond. One more slot is kept for
   * a login from an address the account logged in from before (`usual`): a flood of made-up
   * logins takes every other slot, never that one, so it cannot keep a user out.
   */
  private async hashSlot<T>(work: () => Promise<T>, usual = false): Promise<T> {
    const shared = this.hashing < MAX_CONCURRENT_HASHES;
    if (!shared && !(usual && this.reservedHashing === 0)) {
      throw new HttpError(429, 'busy', 'password: too many password checks at once; try again in 1 s', { 'retry-after': '1' });
    }
    if (shared) this.hashing++;
    else this.reservedHashing++;
    try {
      return await work();
    } finally {
      if (shared) this.hashing--;
      else this.reservedHashing--;
    }
  }

  private async requireCustomer(customerId: string): Promise<void> {
    if (!(await this.store.customers.get(customerId))) {
      throw new HttpError(404, 'unknown_customer', `customer: ${customerId} does not exist (add it with "customers add")`);
    }
  }

  private newToken(customerId: string, expiresInMs?: number) {
    const token = newApiToken(customerId);
    const stored = { id: tokenId(token.hash), hash: token.hash, expiresAt: expiresInMs === undefined ? null : this.clock() + expiresInMs };
    return { token, stored };
  }

  async createUser(customerId: string, email: string, role: Role, password?: string): Promise<NewUser> {
    await this.requireCustomer(customerId);
    const plain = password ?? generatePassword();
    const { token, stored } = this.newToken(customerId);
    const passwordHash = await this.hashSlot(() => hashPassword(plain));
    const user = await this.store.users.add({ customerId, email: email.toLowerCase(), role, passwordHash }, stored, this.clock());
    return { user, token: token.value, ...(password === undefined ? { generatedPassword: plain } : {}) };
  }

  listUsers(customerId: string): Promise<User[]> {
    return this.store.users.list(customerId);
  }

  /** A new password (generated when none is given); ends the user's sessions and revokes its tokens. 404: no such user. */
  async setPassword(customerId: string, email: string, password?: string): Promise<{ password: string; generated: boolean }> {
    const user = await this.requireUser(customerId, email);
    const plain = password ?? generatePassword();
    const hash = await this.hashSlot(() => hashPassword(plain));
    if (!(await this.store.users.setPassword(customerId, user.email, hash))) throw noSuchUser(customerId, user.email);
    return { password: plain, generated: password === undefined };
  }

  async requireUser(customerId: string, email: string): Promise<User> {
    const user = await this.store.users.get(customerId, email.toLowerCase());
    if (!user) throw noSuchUser(customerId, email.toLowerCase());
    return user;
  }

  /** Removes the user, its sessions and its tokens; 404 when there is no such user. */
  async removeUser(customerId: string, email: string): Promise<void> {
    if (!(await this.store.users.remove(customerId, email.toLowerCase()))) throw noSuchUser(customerId, email.toLowerCase());
  }

  async setRole(customerId: string, email: string, role: Role): Promise<User> {
    const user = await this.store.users.setRole(customerId, email.toLowerCase(), role);
    if (!user) throw noSuchUser(customerId, email.toLowerCase());
    return user;
  }

  /** A new API token for an existing user, valid for `expiresInMs` when given. */
  async createToken(customerId: string, email: string, expiresInMs?: number): Promise<NewToken> {
    const user = await this.requireUser(customerId, email);
    const { token, stored } = this.newToken(customerId, expiresInMs);
    await this.store.users.addToken(customerId, user.email, stored, this.clock());
    return { id: stored.id, token: token.value, expiresAt: stored.expiresAt };
  }

  listTokens(customerId: string): Promise<ApiToken[]> {
    return this.store.users.listTokens(customerId);
  }

  async revokeToken(customerId: string, id: string): Promise<void> {
    if (!(await this.store.users.revokeToken(customerId, id))) throw new HttpError(404, 'not_found', `tokenId: customer ${customerId} has no token ${id}`);
  }

  /**
   * Checks a password from client address `ip`; answers a new session. 401 on bad credentials,
   * 429 while throttled (rate-limit.ts) or when too many passwords are being checked at once.
   * A hash made with older scrypt parameters is replaced by one with today's.
   */
  async login(
    customerId: string,
    emailInput: string,
    password: string,
    ip: string,
  ): Promise<{ session: string; expiresAt: number; user: User; customer: Customer }> {
    const email = emailInput.toLowerCase();
    const wait = this.limiter.retryAfter(customerId, email, ip);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new HttpError(429, 'too_many_attempts', `password: too many failed logins; try again in ${seconds} s`, { 'retry-after': String(seconds) });
    }
    const check = async () => {
      const found = await this.store.users.get(customerId, email);
      // an unknown email costs the same scrypt run as a wrong password
      const matches = found ? await verifyPassword(password, found.passwordHash) : (await burnPasswordCheck(password), false);
      if (matches && found && needsRehash(found.passwordHash)) {
        await this.store.users.rehash(customerId, email, found.passwordHash, await hashPassword(password));
      }
      return { user: found, ok: matches };
    };
    const { user, ok } = await this.hashSlot(check, this.limiter.usualAddress(customerId, email, ip)).catch((err: unknown) => {
      if (err instanceof HttpError && err.code === 'busy') this.limiter.busy(ip);
      throw err;
    });
    const customer = ok ? await this.store.customers.get(customerId) : undefined;
    if (!ok || !user || !customer) {
      this.limiter.fail(customerId, email, ip);
      throw new HttpError(401, 'unauthorized', 'password: wrong customer ID, email or password');
    }
    this.limiter.succeed(customerId, email, ip);
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

  /** The principal behind a bearer token or a session cookie; undefined when neither is valid (revoked, expired). */
  async identify(authorization: string | undefined, cookie: string | undefined): Promise<Principal | undefined> {
    if (authorization) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      const t = m ? parseApiToken(m[1]) : undefined;
      const user = t && (await this.store.users.byToken(t.customerId, t.hash, this.clock()));
      return user ? { user, via: 'token' } : undefined;
    }
    const s = cookie ? parseSessionId(cookie) : undefined;
    const user = s && (await this.store.users.bySession(s.customerId, s.hash, this.clock()));
    return user ? { user, via: 'session' } : undefined;
  }
}
