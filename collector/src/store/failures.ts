// What a database error means for the request or batch it stopped (docs/collector.md): the
// one place that reads SQLite's and PostgreSQL's error codes and `pg`'s messages.
// - 'unreachable': the server cannot be reached (down, restarting, failing over). Routes answer
//   503 "not reachable"; the pool connects anew on the next query.
// - 'busy': the server is there, but could not run the statement now (a lock or statement
//   timeout, a full disk, a deadlock). Routes answer 503 "busy"; the projector retries the
//   batch whole and never sets its events aside as bad entries.
// Anything else is the statement's own fault (a constraint, a bad value): the same statement
// would fail again.
import { DatabaseUnavailableError } from '../errors.js';

export type Failure = 'unreachable' | 'busy';

/** Socket errors of a server that is down, restarting or unreachable. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * PostgreSQL: connection exceptions (08), admin_shutdown, crash_shutdown, cannot_connect_now
 * (starting up, shutting down), idle_session_timeout.
 */
const SERVER_GOING = /^(08...|57P0[1235])$/;

/**
 * SQLite busy, locked, full or I/O; PostgreSQL resources (53), a lock or object in use (55:
 * `lock_timeout` ran out while a DBA's CREATE INDEX or VACUUM FULL held a table), operator
 * intervention and timeouts (57), system and I/O errors (58), serialization and deadlocks
 * (40), an idle transaction's timeout (25P03); other system errors (ENOSPC, EIO, …).
 */
const BUSY = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|NOMEM|CANTOPEN|READONLY|INTERRUPT)|^(53|55|57|58|40)...$|^25P03$|^E[A-Z]+$/;

/** What `pg` throws, without a code, for a connection that died under it or could not be made in time. */
const LOST = /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|Query read timeout)/;

/** Why `err` stopped the statement, when the same statement may pass later; undefined when it would fail again. */
export function failureOf(err: unknown): Failure | undefined {
  if (err instanceof DatabaseUnavailableError) return 'unreachable';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return NETWORK.has(code) || SERVER_GOING.test(code) ? 'unreachable' : BUSY.test(code) ? 'busy' : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return LOST.test(message) ? 'unreachable' : /connection|terminated/i.test(message) ? 'busy' : undefined;
}

/** The server cannot be reached: the error that says so for every route (a 503). */
export const isConnectionError = (err: unknown): boolean => failureOf(err) === 'unreachable';

/** The same batch or request may pass later: retried whole, never set aside. */
export const isTransient = (err: unknown): boolean => failureOf(err) !== undefined;
