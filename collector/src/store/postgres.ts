// PostgreSQL through `pg`: for production and for several collectors sharing one database.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database, Dialect, Queryable, Row, Sql, SqlValue } from './database.js';

const dialect: Dialect = {
  forUpdate: 'FOR UPDATE',
  skipLocked: 'FOR UPDATE SKIP LOCKED',
  indexedBy: () => '',
  least: (a, b) => `LEAST(${a}, ${b})`,
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  values: (param) => `(SELECT jsonb_array_elements_text(${param}::jsonb))`,
  recordset: (param, alias, columns) => `jsonb_to_recordset(${param}::jsonb) AS ${alias}(${columns.map(([n, t]) => `${n} ${t}`).join(', ')})`,
};

/** deadlock_detected, serialization_failure: safe to run the whole transaction again */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

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
    this.pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
    // an idle client losing its connection must not crash the process; the pool replaces it
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
    return {
      all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await q.query(this.config(sql, params))).rows as T[],
      get: async <T>(sql: string, params: readonly SqlValue[] = []) => (await q.query(this.config(sql, params))).rows[0] as T | undefined,
      run: async (sql: string, params: readonly SqlValue[] = []) => (await q.query(this.config(sql, params))).rowCount ?? 0,
      exec: async (sql: string) => {
        await q.query(sql);
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
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(this.executor(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e;
        });
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
          continue;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
