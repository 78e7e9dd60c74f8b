// PostgreSQL through `pg`: for production and for several collectors sharing one database.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { DatabaseUnavailableError } from '../errors.js';
import type { Database, Dialect, Queryable, Row, Sql, SqlValue } from './database.js';
import { isConnectionError } from './failures.js';

const dialect: Dialect = {
  forUpdate: 'FOR UPDATE',
  skipLocked: 'FOR UPDATE SKIP LOCKED',
  indexedBy: () => '',
  // the C collation folds A-Z only, whatever the database's ctype (the email indexes use this expression)
  lowerAscii: (expr) => `lower((${expr}) COLLATE "C")`,
  least: (a, b) => `LEAST(${a}, ${b})`,
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  values: (param) => `(SELECT jsonb_array_elements_text(${param}::jsonb))`,
  recordset: (param, alias, columns) => `jsonb_to_recordset(${param}::jsonb) AS ${alias}(${columns.map(([n, t]) => `${n} ${t}`).join(', ')})`,
};

/** deadlock_detected, serialization_failure: safe to run the whole transaction again */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

/** A lost connection becomes the 503 every route answers; other errors pass unchanged. */
function translate(err: unknown): unknown {
  return isConnectionError(err) && !(err instanceof DatabaseUnavailableError) ? new DatabaseUnavailableError(err) : err;
}

/** How long to wait for a connection before answering 503 (a server that hangs rather than refuses). */
const CONNECT_TIMEOUT_MS = 5_000;

export interface PostgresOptions {
  /** connections in the pool (default 10) */
  max?: number;
}

export class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  readonly dialect = dialect;
  readonly description: string;
  private readonly pool: pg.Pool;
  private readonly names = new Map<string, string>();

  constructor(url: string, options: PostgresOptions = {}) {
    const u = new URL(url);
    this.description = `postgres ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
    this.pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // an idle client losing its connection (the server restarted) must not crash the process:
    // the pool drops it and connects anew on the next query
    this.pool.on('error', () => undefined);
    this.immediate = {
      engine: 'postgres',
      dialect,
      ...this.executor(this.pool),
      transaction: <T>(fn: (tx: Sql) => Promise<T>) => this.transactionNow(fn),
    };
  }

  /** Named statements are prepared once per connection by the server. */
  private config(sql: string, params: readonly SqlValue[]): pg.QueryConfig {
    let name = this.names.get(sql);
    if (!name) {
      name = `et_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      this.names.set(sql, name);
    }
    return { name, text: sql, values: params as unknown[] };
  }

  private executor(q: pg.Pool | pg.PoolClient): Sql {
    const query = (config: string | pg.QueryConfig) => q.query(config).catch((err: unknown) => Promise.reject(translate(err)));
    return {
      all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query(this.config(sql, params))).rows as T[],
      get: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query(this.config(sql, params))).rows[0] as T | undefined,
      run: async (sql: string, params: readonly SqlValue[] = []) => (await query(this.config(sql, params))).rowCount ?? 0,
      exec: async (sql: string) => {
        await query(sql);
      },
    };
  }

  private barrier: () => Promise<void> | null = () => null;

  /** Reads and transactions wait for `barrier` first: events answered before them are in the tables. */
  setBarrier(barrier: () => Promise<void> | null): void {
    this.barrier = barrier;
  }

  private afterBarrier<T>(fn: () => Promise<T>): Promise<T> {
    const wait = this.barrier();
    return wait ? wait.then(fn) : fn();
  }

  readonly immediate: Queryable;

  all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.afterBarrier(() => this.immediate.all<T>(sql, params));
  }

  get<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.afterBarrier(() => this.immediate.get<T>(sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.afterBarrier(() => this.immediate.run(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.afterBarrier(() => this.immediate.exec(sql));
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.afterBarrier(() => this.transactionNow(fn));
  }

  private async transactionNow<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect().catch((err: unknown) => Promise.reject(translate(err)));
      let broken: Error | undefined;
      // a checked-out client has no listener of the pool's: its connection dying between two
      // statements would otherwise be an unhandled 'error' event that ends the process
      const onError = (err: Error) => {
        broken = err;
      };
      client.on('error', onError);
      const tx = this.executor(client);
      try {
        await tx.exec('BEGIN');
        const result = await fn(tx);
        await tx.exec('COMMIT');
        return result;
      } catch (err) {
        if (!broken) {
          await client.query('ROLLBACK').catch((e: Error) => {
            broken = e;
          });
        }
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
          continue;
        }
        throw err;
      } finally {
        client.off('error', onError);
        // a broken client is closed, not returned to the pool
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
