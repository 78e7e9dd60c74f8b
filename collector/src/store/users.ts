// Users, their API tokens and dashboard sessions. Tokens and sessions are stored as SHA-256
// hashes and always looked up under their customer, so no lookup spans customers.
import { num, type Queryable } from './database.js';
import { ConflictError } from './customers.js';
import type { Role, User } from './types.js';

interface UserRow {
  customer_id: string;
  email: string;
  role: string;
  password_hash: string;
  created_at: unknown;
}

const toUser = (r: UserRow): User => ({
  customerId: r.customer_id,
  email: r.email,
  role: r.role as Role,
  passwordHash: r.password_hash,
  createdAt: num(r.created_at),
});

export class UserRepository {
  constructor(private readonly db: Queryable) {}

  /** Adds a user with its first API token, atomically. `email` must be lower-cased. */
  async add(user: Omit<User, 'createdAt'>, tokenHash: string, now: number): Promise<User> {
    return this.db.transaction(async (tx) => {
      const added = await tx.run(
        `INSERT INTO users (customer_id, email, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (customer_id, email) DO NOTHING`,
        [user.customerId, user.email, user.role, user.passwordHash, now],
      );
      if (added === 0) throw new ConflictError(`user ${user.email} already exists for customer ${user.customerId}`);
      await tx.run('INSERT INTO api_tokens (customer_id, token_hash, email, created_at) VALUES ($1, $2, $3, $4)', [
        user.customerId,
        tokenHash,
        user.email,
        now,
      ]);
      return { ...user, createdAt: now };
    });
  }

  async get(customerId: string, email: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>('SELECT * FROM users WHERE customer_id = $1 AND email = $2', [customerId, email]);
    return row && toUser(row);
  }

  async setPassword(customerId: string, email: string, passwordHash: string): Promise<boolean> {
    return (await this.db.run('UPDATE users SET password_hash = $3 WHERE customer_id = $1 AND email = $2', [customerId, email, passwordHash])) > 0;
  }

  async addToken(customerId: string, email: string, tokenHash: string, now: number): Promise<void> {
    await this.db.run('INSERT INTO api_tokens (customer_id, token_hash, email, created_at) VALUES ($1, $2, $3, $4)', [
      customerId,
      tokenHash,
      email,
      now,
    ]);
  }

  /** The user a token belongs to (under that customer only). */
  async byToken(customerId: string, tokenHash: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>(
      `SELECT u.* FROM api_tokens t JOIN users u ON u.customer_id = t.customer_id AND u.email = t.email
       WHERE t.customer_id = $1 AND t.token_hash = $2`,
      [customerId, tokenHash],
    );
    return row && toUser(row);
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
