// Users, their API tokens and dashboard sessions. Tokens and sessions are stored as SHA-256
// hashes and always looked up under their customer, so no lookup spans customers.
import { num, type Queryable, type Sql } from './database.js';
import { ConflictError } from './customers.js';
import type { ApiToken, Role, User } from './types.js';

interface UserRow {
  customer_id: string;
  email: string;
  role: string;
  password_hash: string;
  created_at: unknown;
}

interface TokenRow {
  token_id: string;
  email: string;
  created_at: unknown;
  expires_at: unknown;
  last_used_at: unknown;
}

const toUser = (r: UserRow): User => ({
  customerId: r.customer_id,
  email: r.email,
  role: r.role as Role,
  passwordHash: r.password_hash,
  createdAt: num(r.created_at),
});

const orNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

const toToken = (r: TokenRow): ApiToken => ({
  id: r.token_id,
  email: r.email,
  createdAt: num(r.created_at),
  expiresAt: orNull(r.expires_at),
  lastUsedAt: orNull(r.last_used_at),
});

/** What the database keeps of a new API token. */
export interface StoredToken {
  id: string;
  hash: string;
  expiresAt: number | null;
}

/** A token's last use is written at most this often, so API reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

function insertToken(sql: Sql, customerId: string, email: string, token: StoredToken, now: number): Promise<number> {
  return sql.run('INSERT INTO api_tokens (customer_id, token_hash, token_id, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
    customerId,
    token.hash,
    token.id,
    email,
    now,
    token.expiresAt,
  ]);
}

/** Ends the user's sessions and revokes its tokens. */
async function dropCredentials(sql: Sql, customerId: string, email: string): Promise<void> {
  await sql.run('DELETE FROM sessions WHERE customer_id = $1 AND email = $2', [customerId, email]);
  await sql.run('DELETE FROM api_tokens WHERE customer_id = $1 AND email = $2', [customerId, email]);
}

export class UserRepository {
  constructor(private readonly db: Queryable) {}

  /** Adds a user with its first API token, atomically. `email` must be lower-cased. */
  async add(user: Omit<User, 'createdAt'>, token: StoredToken, now: number): Promise<User> {
    return this.db.transaction(async (tx) => {
      const added = await tx.run(
        `INSERT INTO users (customer_id, email, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (customer_id, email) DO NOTHING`,
        [user.customerId, user.email, user.role, user.passwordHash, now],
      );
      if (added === 0) throw new ConflictError(`user ${user.email} already exists for customer ${user.customerId}`);
      await insertToken(tx, user.customerId, user.email, token, now);
      return { ...user, createdAt: now };
    });
  }

  async get(customerId: string, email: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>('SELECT * FROM users WHERE customer_id = $1 AND email = $2', [customerId, email]);
    return row && toUser(row);
  }

  async list(customerId: string): Promise<User[]> {
    return (await this.db.all<UserRow>('SELECT * FROM users WHERE customer_id = $1 ORDER BY email', [customerId])).map(toUser);
  }

  /** Removes the user with its sessions and tokens; false when there was no such user. */
  async remove(customerId: string, email: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await dropCredentials(tx, customerId, email);
      return (await tx.run('DELETE FROM users WHERE customer_id = $1 AND email = $2', [customerId, email])) > 0;
    });
  }

  /** A new password: ends the user's sessions and revokes its tokens. False when there is no such user. */
  async setPassword(customerId: string, email: string, passwordHash: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const changed = await tx.run('UPDATE users SET password_hash = $3 WHERE customer_id = $1 AND email = $2', [customerId, email, passwordHash]);
      if (changed > 0) await dropCredentials(tx, customerId, email);
      return changed > 0;
    });
  }

  /** The same password hashed with today's parameters; sessions and tokens stay. */
  async rehash(customerId: string, email: string, oldHash: string, newHash: string): Promise<void> {
    // only if unchanged meanwhile: a concurrent set-password wins
    await this.db.run('UPDATE users SET password_hash = $4 WHERE customer_id = $1 AND email = $2 AND password_hash = $3', [customerId, email, oldHash, newHash]);
  }

  async setRole(customerId: string, email: string, role: Role): Promise<User | undefined> {
    const changed = await this.db.run('UPDATE users SET role = $3 WHERE customer_id = $1 AND email = $2', [customerId, email, role]);
    return changed > 0 ? this.get(customerId, email) : undefined;
  }

  async addToken(customerId: string, email: string, token: StoredToken, now: number): Promise<void> {
    await insertToken(this.db, customerId, email, token, now);
  }

  async listTokens(customerId: string): Promise<ApiToken[]> {
    const rows = await this.db.all<TokenRow>(
      'SELECT token_id, email, created_at, expires_at, last_used_at FROM api_tokens WHERE customer_id = $1 ORDER BY created_at, token_id',
      [customerId],
    );
    return rows.map(toToken);
  }

  /** False when the customer has no token with that ID. */
  async revokeToken(customerId: string, tokenId: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM api_tokens WHERE customer_id = $1 AND token_id = $2', [customerId, tokenId])) > 0;
  }

  /** The user a live (unexpired) token belongs to, under that customer only; notes the token's use. */
  async byToken(customerId: string, tokenHash: string, now: number): Promise<User | undefined> {
    const row = await this.db.get<UserRow & { last_used_at: unknown }>(
      `SELECT u.*, t.last_used_at FROM api_tokens t JOIN users u ON u.customer_id = t.customer_id AND u.email = t.email
       WHERE t.customer_id = $1 AND t.token_hash = $2 AND (t.expires_at IS NULL OR t.expires_at > $3)`,
      [customerId, tokenHash, now],
    );
    if (!row) return undefined;
    const lastUsed = orNull(row.last_used_at);
    if (lastUsed === null || now - lastUsed >= LAST_USED_RESOLUTION_MS) {
      await this.db.run('UPDATE api_tokens SET last_used_at = $3 WHERE customer_id = $1 AND token_hash = $2', [customerId, tokenHash, now]);
    }
    return toUser(row);
  }

  /** Stores a session and drops the customer's expired ones. */
  async createSession(customerId: string, sessionHash: string, email: string, expiresAt: number, now: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM sessions WHERE customer_id = $1 AND expires_at <= $2', [customerId, now]);
      await tx.run('INSERT INTO sessions (customer_id, session_hash, email, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)', [
        customerId,
        sessionHash,
        email,
        expiresAt,
        now,
      ]);
    });
  }

  /** The user of a live session (under that customer only). */
  async bySession(customerId: string, sessionHash: string, now: number): Promise<User | undefined> {
    const row = await this.db.get<UserRow>(
      `SELECT u.* FROM sessions s JOIN users u ON u.customer_id = s.customer_id AND u.email = s.email
       WHERE s.customer_id = $1 AND s.session_hash = $2 AND s.expires_at > $3`,
      [customerId, sessionHash, now],
    );
    return row && toUser(row);
  }

  async deleteSession(customerId: string, sessionHash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE customer_id = $1 AND session_hash = $2', [customerId, sessionHash]);
  }
}
