// SQLite through better-sqlite3: the embedded default. WAL with synchronous=FULL, so a
// committed transaction survives kill -9 and power loss.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Dialect, Queryable, Row, Sql, SqlValue } from './database.js';

const dialect: Dialect = {
  forUpdate: '',
  skipLocked: '',
  indexedBy: (index) => `INDEXED BY ${index}`,
  // SQLite's lower() folds A-Z only (no ICU)
  lowerAscii: (expr) => `lower(${expr})`,
  least: (a, b) => `min(${a}, ${b})`,
  greatest: (a, b) => `max(${a}, ${b})`,
  values: (param) => `(SELECT value FROM json_each(${param}))`,
  // numbers are cast: a JSON string ("123", exact beyond 2^53) must compare and add as an integer
  recordset: (param, alias, columns) =>
    `(SELECT ${columns
      .map(([name, type]) => (type === 'text' ? `json_extract(value, '$.${name}')` : `CAST(json_extract(value, '$.${name}') AS INTEGER)`) + ` AS ${name}`)
      .join(', ')} FROM jsonb_each(${param})) AS ${alias}`,
};

/**
 * Transactions hold the connection across awaits, so two connections of one process to the
 * same file must take turns (a second BEGIN IMMEDIATE would block the only thread that can
 * finish the first). Connections in other processes wait through busy_timeout instead.
 */
interface FileLock {
  queue: Promise<unknown>;
  inTransaction: boolean;
  users: number;
}
const LOCKS = new Map<string, FileLock>();

interface Prepared {
  stmt: BetterSqlite3.Statement;
  /** for each `?`, the index of the `$n` value it takes; null when it is the identity */
  order: number[] | null;
}

export class SqliteDatabase implements Database {
  readonly engine = 'sqlite' as const;
  readonly dialect = dialect;
  readonly description: string;
  private readonly db: BetterSqlite3.Database;
  private readonly cache = new Map<string, Prepared>();
  /** Serializes transactions (and reads while one is open) on this file, in this process. */
  private readonly lock: FileLock;
  private readonly lockKey: string;
  /** Before each read or transaction: what must be applied first (the ingest queue), or null. */
  private barrier: () => Promise<void> | null = () => null;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.description = `sqlite ${path}`;
    this.lockKey = path === ':memory:' ? `:memory:${Math.random()}` : path;
    const lock = LOCKS.get(this.lockKey) ?? { queue: Promise.resolve(), inTransaction: false, users: 0 };
    lock.users++;
    LOCKS.set(this.lockKey, lock);
    this.lock = lock;
    this.db = new BetterSqlite3(path);
    this.db.defaultSafeIntegers(true);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('foreign_keys = OFF');
    this.db.pragma('cache_size = -65536');
    this.db.pragma('temp_store = MEMORY');
    // keeps the planner's statistics current (cheap: only analyzes what changed a lot)
    this.db.pragma('optimize = 0x10002');
  }

  exec(sql: string): Promise<void> {
    return this.afterBarrier(() => this.immediate.exec(sql));
  }

  private prepare(sql: string): Prepared {
    let p = this.cache.get(sql);
    if (!p) {
      const order: number[] = [];
      const text = sql.replace(/\$([0-9]+)/g, (_, n: string) => {
        order.push(Number(n) - 1);
        return '?';
      });
      const identity = order.every((v, i) => v === i);
      p = { stmt: this.db.prepare(text), order: identity ? null : order };
      this.cache.set(sql, p);
    }
    return p;
  }

  private bind(p: Prepared, params: readonly SqlValue[]): SqlValue[] {
    return p.order ? p.order.map((i) => params[i]) : (params as SqlValue[]);
  }

  private allSync<T>(sql: string, params: readonly SqlValue[]): T[] {
    const p = this.prepare(sql);
    return p.stmt.all(...this.bind(p, params)) as T[];
  }

  private runSync(sql: string, params: readonly SqlValue[]): number {
    const p = this.prepare(sql);
    if (p.stmt.reader) return p.stmt.all(...this.bind(p, params)).length;
    return Number(p.stmt.run(...this.bind(p, params)).changes);
  }

  /** Reads and transactions wait for `barrier` first: events answered before them are in the tables. */
  setBarrier(barrier: () => Promise<void> | null): void {
    this.barrier = barrier;
  }

  private afterBarrier<T>(fn: () => Promise<T>): Promise<T> {
    const wait = this.barrier();
    return wait ? wait.then(fn) : fn();
  }

  readonly immediate: Queryable = {
    engine: 'sqlite',
    dialect,
    all: <T>(sql: string, params: readonly SqlValue[] = []) => this.whenIdle(() => this.allSync<T>(sql, params)),
    get: <T>(sql: string, params: readonly SqlValue[] = []) => this.whenIdle(() => this.allSync<T>(sql, params)[0]),
    run: (sql: string, params: readonly SqlValue[] = []) => this.whenIdle(() => this.runSync(sql, params)),
    exec: (sql: string) => this.whenIdle(() => void this.db.exec(sql)),
    transaction: <T>(fn: (tx: Sql) => Promise<T>) => this.transactionNow(fn),
  };

  /** Outside a transaction a read runs at once; during one it waits, so it never sees uncommitted rows. */
  private whenIdle<T>(fn: () => T): Promise<T> {
    if (!this.lock.inTransaction) {
      try {
        return Promise.resolve(fn());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const next = this.lock.queue.then(fn);
    this.lock.queue = next.catch(() => undefined);
    return next;
  }

  all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.afterBarrier(() => this.immediate.all<T>(sql, params));
  }

  get<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.afterBarrier(() => this.immediate.get<T>(sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.afterBarrier(() => this.immediate.run(sql, params));
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.afterBarrier(() => this.transactionNow(fn));
  }

  private transactionNow<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const tx: Sql = {
      all: async <R>(sql: string, params: readonly SqlValue[] = []) => this.allSync<R>(sql, params),
      get: async <R>(sql: string, params: readonly SqlValue[] = []) => this.allSync<R>(sql, params)[0],
      run: async (sql: string, params: readonly SqlValue[] = []) => this.runSync(sql, params),
      exec: async (sql: string) => {
        this.db.exec(sql);
      },
    };
    const work = async (): Promise<T> => {
      this.lock.inTransaction = true;
      try {
        this.db.exec('BEGIN IMMEDIATE');
        const result = await fn(tx);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      } finally {
        this.lock.inTransaction = false;
      }
    };
    const next = this.lock.queue.then(work);
    this.lock.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.lock.queue;
    if (!this.db.open) return;
    this.db.pragma('optimize');
    this.db.close();
    if (--this.lock.users === 0) LOCKS.delete(this.lockKey);
  }
}
