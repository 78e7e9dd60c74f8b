// Applying a batch of log entries when one of them cannot be applied, in the same transaction
// as everything else (docs/collector.md, "Ingest: log, then project"):
// - Row by row where the failure can be pinned: the projector writes each table in one
//   statement whose rows it knows the entries of (`writeRows`). When such a statement fails,
//   halves of its rows are tried again, each rolled back, down to the rows that fail on their
//   own; their entries are set aside with their reasons and the batch is applied again
//   without them. That costs one more attempt and a few small statements, not dozens of
//   attempts, so a poisoned batch applies nearly as fast as a clean one.
// - Else by splitting the batch (a failure in the aggregates or the profiles, rows that
//   only fail together, a row several entries made): into eighths, each under a savepoint,
//   then the failing eighth into eighths, …, the entry that fails alone set aside. Eighths
//   rather than halves: each failed attempt is work thrown away, and 200 → 25 → 4 → 1 throws
//   away 230 entries' work where halving throws away 400.
// Nothing checked at ingest should fail here; this keeps one that slipped through from
// stopping everyone behind it.
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

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Parts a failing batch is split into. */
const SPLIT = 8;

/** A row of a set-based write, with the event it comes from (null: several made it). */
export interface SourcedRow<R> {
  row: R;
  source: EventRecord | null;
}

/** A write some rows of which fail on their own: their events, each with its reason. */
export class RefusedRows extends Error {
  constructor(
    readonly refused: ReadonlyMap<EventRecord, string>,
    cause: unknown,
  ) {
    super(messageOf(cause), { cause });
  }
}

/**
 * Runs `write` on `rows` under a savepoint (one round trip, kept until the batch's own is
 * released). When it fails, finds the rows that fail on their own by trying halves, each
 * rolled back, and throws RefusedRows naming their events; throws the write's own error when
 * no row fails alone or one that does has no single event.
 */
export async function writeRows<R>(tx: Sql, rows: readonly SourcedRow<R>[], write: (rows: R[]) => Promise<unknown>): Promise<void> {
  if (rows.length === 0) return;
  await tx.exec('SAVEPOINT apply_rows');
  try {
    await write(rows.map((r) => r.row));
    return;
  } catch (err) {
    if (isTransient(err)) throw err;
    await tx.exec('ROLLBACK TO apply_rows');
    const failing = rows.length === 1 ? [{ source: rows[0].source, reason: messageOf(err) }] : await halves(tx, rows, write);
    if (failing.length === 0 || failing.some((f) => f.source === null)) throw err;
    throw new RefusedRows(new Map(failing.map((f) => [f.source!, f.reason])), err);
  }
}

/** The rows among `rows` (which fail together) that fail on their own: each half tried, then rolled back. */
async function halves<R>(tx: Sql, rows: readonly SourcedRow<R>[], write: (rows: R[]) => Promise<unknown>): Promise<{ source: EventRecord | null; reason: string }[]> {
  const half = Math.ceil(rows.length / 2);
  const found = [];
  for (const part of [rows.slice(0, half), rows.slice(half)]) {
    let error: unknown = null;
    try {
      await write(part.map((r) => r.row));
    } catch (err) {
      if (isTransient(err)) throw err;
      error = err;
    }
    await tx.exec('ROLLBACK TO apply_rows');
    if (error === null) continue;
    if (part.length === 1) found.push({ source: part[0].source, reason: messageOf(error) });
    else found.push(...(await halves(tx, part, write)));
  }
  return found;
}

/**
 * Applies `entries`; answers how many were set aside. `eventOf` names the event an entry
 * carries, to match the events RefusedRows names.
 */
export async function applyIsolating<E>(
  tx: Sql,
  entries: readonly E[],
  apply: (tx: Sql, entries: readonly E[]) => Promise<void>,
  setAside: (tx: Sql, entry: E, reason: string) => Promise<void>,
  eventOf: (entry: E) => EventRecord | null,
): Promise<number> {
  if (entries.length === 0) return 0;
  await tx.exec('SAVEPOINT apply_part');
  try {
    await apply(tx, entries);
    await tx.exec('RELEASE apply_part');
    return 0;
  } catch (err) {
    if (isTransient(err)) throw err;
    await tx.exec('ROLLBACK TO apply_part; RELEASE apply_part');
    const reasons = err instanceof RefusedRows ? err.refused : new Map<EventRecord, string>();
    const reasonOf = (e: E) => {
      const ev = eventOf(e);
      return ev === null ? undefined : reasons.get(ev);
    };
    const refused = entries.filter((e) => reasonOf(e) !== undefined);
    if (refused.length > 0) {
      // each round sets at least one entry aside, so the retries end
      for (const e of refused) await setAside(tx, e, reasonOf(e)!);
      return refused.length + (await applyIsolating(tx, entries.filter((e) => reasonOf(e) === undefined), apply, setAside, eventOf));
    }
    if (entries.length === 1) {
      await setAside(tx, entries[0], messageOf(err));
      return 1;
    }
    const size = Math.ceil(entries.length / SPLIT);
    let aside = 0;
    for (let i = 0; i < entries.length; i += size) aside += await applyIsolating(tx, entries.slice(i, i + size), apply, setAside, eventOf);
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
