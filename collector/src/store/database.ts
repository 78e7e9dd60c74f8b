// The one interface both storage engines implement. Repositories (store/*.ts) are written
// once against it in the SQL both engines share; the few differences are in `Dialect`.

/** A bound SQL value. Integers beyond 2^53 travel as bigint. */
export type SqlValue = string | number | bigint | null | Uint8Array;
export type Row = Record<string, unknown>;

export interface Sql {
  /** All rows. Placeholders are `$1`, `$2`, … in both engines. */
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement; answers the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs several `;`-separated statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Dialect {
  /** `FOR UPDATE` on PostgreSQL; empty on SQLite, whose write transactions are already exclusive. */
  forUpdate: string;
  /** `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several collectors share background work. */
  skipLocked: string;
  /**
   * `INDEXED BY <index>` on SQLite, empty on PostgreSQL. For the write path's lookups, where an
   * ORDER BY or stale statistics can tempt SQLite's planner into a scan that grows with the table.
   */
  indexedBy(index: string): string;
  /**
   * `lower()` of ASCII letters only, as `asciiLower` (profiles.ts) folds keys and lookups:
   * PostgreSQL's lower() folds every letter (Ö too) under a UTF-8 ctype.
   */
  lowerAscii(expr: string): string;
  least(a: string, b: string): string;
  greatest(a: string, b: string): string;
  /**
   * The strings of a JSON array parameter as a subquery, for `col IN ${values('$2')}`: one
   * statement text whatever the list's length (prepared once), one parameter.
   */
  values(param: string): string;
  /**
   * A JSON array of objects parameter as a table `alias(col, …)`, for set-based writes: a batch
   * of rows in one statement and one parameter. Money travels as decimal strings (`numeric`).
   */
  recordset(param: string, alias: string, columns: readonly Column[]): string;
}

/** A recordset column: its name (the JSON key) and type. */
export type Column = readonly [name: string, type: 'text' | 'bigint' | 'numeric'];
/** The columns' names, for an INSERT's column list. */
export const names = (cols: readonly Column[]) => cols.map(([n]) => n).join(', ');
/** The columns of a recordset `alias`, for the SELECT that feeds an INSERT. */
export const pick = (cols: readonly Column[], alias: string) => cols.map(([n]) => `${alias}.${n}`).join(', ');

/** What repositories write through: SQL, transactions and the dialect. */
export interface Queryable extends Sql {
  readonly engine: 'sqlite' | 'postgres';
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one transaction: committed durably when it resolves, rolled back when it throws.
   * `fn` must only await `tx` (on SQLite the transaction holds the one connection).
   * Retried on PostgreSQL deadlocks and serialization failures.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

export interface Database extends Queryable {
  /**
   * The same database without waiting for ingested events to be applied first. Reads and
   * transactions on the Database itself wait (a bounded time) until every event this
   * collector answered is in the tables, so a report never misses what was just answered;
   * the ingest path itself, and what needs no fresh ecommerce data (customers, users,
   * sessions, tokens, webhook settings), go through `immediate` and never wait behind a burst.
   */
  readonly immediate: Queryable;
  /** A short description for logs (file path or host/database, never a password). */
  readonly description: string;
  /** What reads must wait for first (the ingest log's projection), or null. */
  setBarrier(barrier: () => Promise<void> | null): void;
  close(): Promise<void>;
}

/** Integer column → number (SQLite may give bigint, PostgreSQL gives int8 as a string). */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'string') return Number(v);
  return 0;
}

/** Integer or NUMERIC column → bigint, exactly. */
export function big(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string' && v !== '') return BigInt(v.includes('.') ? v.slice(0, v.indexOf('.')) : v);
  return 0n;
}

/** Nullable integer column → bigint or null. */
export function bigOrNull(v: unknown): bigint | null {
  return v === null || v === undefined ? null : big(v);
}

export function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}
