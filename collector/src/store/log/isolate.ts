// Applying a batch of log entries when one of them cannot be applied: the failing entry is
// found by splitting the batch (into eighths, each under a savepoint, then the failing
// eighth into eighths, …), set aside with its reason, and every other entry is applied in the
// same transaction. Eighths rather than halves: each failed attempt is work thrown away, and
// 200 → 25 → 4 → 1 throws away 230 entries' work where halving throws away 400. Nothing
// checked at ingest should fail here; this keeps one that slipped through from stopping
// everyone behind it.
import { DatabaseUnavailableError } from '../../errors.js';
import type { Sql } from '../database.js';
import { insertRejected } from '../rejected.js';
import type { EventRecord } from '../types.js';
import { encodeEvent } from './entry.js';

/**
 * Errors after which the same batch may succeed later, retried whole and never set aside:
 * SQLite busy, locked, full or I/O; PostgreSQL connection (08), resources (53), operator
 * intervention (57), serialization and deadlocks (40); network errors (ECONNRESET, …), and
 * pg's connection losses, which carry no code.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return /^SQLITE_(BUSY|LOCKED|FULL|IOERR|NOMEM|CANTOPEN|READONLY|INTERRUPT)|^(08|53|57|40)...$|^E[A-Z]+$/.test(code);
  return /connection|terminated/i.test(err instanceof Error ? err.message : String(err));
}

/** Parts a failing batch is split into. */
const SPLIT = 8;

/** Applies `entries`; answers how many were set aside. */
export async function applyIsolating<E>(
  tx: Sql,
  entries: readonly E[],
  apply: (tx: Sql, entries: readonly E[]) => Promise<void>,
  setAside: (tx: Sql, entry: E, reason: string) => Promise<void>,
): Promise<number> {
  if (entries.length === 0) return 0;
  await tx.exec('SAVEPOINT apply_part');
  try {
    await apply(tx, entries);
    await tx.exec('RELEASE apply_part');
    return 0;
  } catch (err) {
    if (isTransient(err)) throw err;
    await tx.exec('ROLLBACK TO apply_part');
    await tx.exec('RELEASE apply_part');
    if (entries.length === 1) {
      await setAside(tx, entries[0], err instanceof Error ? err.message : String(err));
      return 1;
    }
    const size = Math.ceil(entries.length / SPLIT);
    let aside = 0;
    for (let i = 0; i < entries.length; i += size) aside += await applyIsolating(tx, entries.slice(i, i + size), apply, setAside);
    return aside;
  }
}

/** An entry that cannot be applied, kept with the rejected events and its reason (never silently lost). */
export function setAside(tx: Sql, customerId: string, ev: EventRecord, reason: string): Promise<void> {
  return insertRejected(tx, {
    customerId,
    receivedAt: ev.receivedAt,
    source: ev.source,
    reason: `event: could not be applied (${reason})`,
    raw: encodeEvent(ev),
  });
}
