// Applying a batch of log entries when some cannot be applied, in the batch's one transaction
// (docs/collector.md, "Ingest: log, then project"):
// - Traced to rows where it can be: the projector writes each table in one statement and
//   knows the event each row comes from (`writeRows`). When such a statement fails, its rows
//   are tried again in halves, down to the events whose rows fail on their own; those are set
//   aside with their reasons, and the batch is applied again without them, its reads answered
//   from the failed attempt's. One more attempt and a few dozen small statements per failing
//   batch, however many of that statement's rows fail.
// - Else by splitting the batch (a failure in the aggregates or the profiles, rows that only
//   fail together, a row several events made): into eighths, each under a savepoint, then the
//   failing eighth into eighths, …, the entry that fails alone set aside. Eighths rather than
//   halves: each failed attempt is work thrown away, and 200 → 25 → 4 → 1 throws away 230
//   entries' work where halving throws away 400.
// Nothing checked at ingest should fail here; this keeps one that slipped through from
// stopping everyone behind it.
import type { Sql, SqlValue } from '../database.js';
import { isTransient } from '../failures.js';
import { insertRejected } from '../rejected.js';
import type { EventRecord } from '../types.js';
import { encodeEvent } from './entry.js';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Parts a failing batch is split into. */
const SPLIT = 8;

/** A row of a set-based write, with the event it comes from (null: several made it). */
export interface SourcedRow<R> {
  row: R;
  source: EventRecord | null;
}

/** A write some rows of which fail on their own: their events, each with its reason. */
class RefusedRows extends Error {
  constructor(
    readonly refused: ReadonlyMap<EventRecord, string>,
    cause: unknown,
  ) {
    super(messageOf(cause), { cause });
  }
}

/**
 * Runs `write` on `rows` under a savepoint (one round trip, kept until the batch's own is
 * released). When it fails, finds the events whose rows fail on their own (`failing`) and
 * throws RefusedRows naming them; throws the write's own error when none does, or when a
 * failing row has no single event.
 */
export async function writeRows<R>(tx: Sql, rows: readonly SourcedRow<R>[], write: (rows: R[]) => Promise<unknown>): Promise<void> {
  if (rows.length === 0) return;
  await tx.exec('SAVEPOINT apply_rows');
  try {
    await write(rows.map((r) => r.row));
  } catch (err) {
    if (isTransient(err)) throw err;
    await tx.exec('ROLLBACK TO apply_rows');
    // each event's rows together (a row several events made alone)
    const units = new Map<EventRecord | SourcedRow<R>, Unit<R>>();
    for (const r of rows) {
      const key = r.source ?? r;
      const unit = units.get(key);
      if (unit) unit.rows.push(r.row);
      else units.set(key, { source: r.source, rows: [r.row] });
    }
    const found = await failing(tx, [...units.values()], write, err);
    if (found.length === 0 || found.some((f) => f.source === null)) throw err;
    throw new RefusedRows(new Map(found.map((f) => [f.source!, f.reason])), err);
  }
}

/** The rows of one event (or one row several events made: source null). */
interface Unit<R> {
  source: EventRecord | null;
  rows: R[];
}

/** Tries the units' rows: kept when they pass; rolled back to the statement's savepoint when they fail, answering the error. */
async function attempt<R>(tx: Sql, units: readonly Unit<R>[], write: (rows: R[]) => Promise<unknown>): Promise<unknown> {
  try {
    await write(units.flatMap((u) => u.rows));
    return null;
  } catch (err) {
    if (isTransient(err)) throw err;
    await tx.exec('ROLLBACK TO apply_rows');
    return err;
  }
}

/**
 * The units among `units` (which failed together with `error`) whose rows fail on their own,
 * each with its error, by halving. A half that passes is kept, so the next is tried on top of
 * it as the log orders them, and when the first half passes the second is known to fail
 * without trying it: about one and a half tries per halving. A single unit is set aside only
 * when it failed tried on its own.
 */
async function failing<R>(
  tx: Sql,
  units: readonly Unit<R>[],
  write: (rows: R[]) => Promise<unknown>,
  error: unknown,
): Promise<{ source: EventRecord | null; reason: string }[]> {
  if (units.length === 1) return [{ source: units[0].source, reason: messageOf(error) }];
  const half = Math.ceil(units.length / 2);
  const [first, second] = [units.slice(0, half), units.slice(half)];
  const firstError = await attempt(tx, first, write);
  const found = firstError === null ? [] : await failing(tx, first, write, firstError);
  // the second half on top of the first, kept, is the whole: it fails
  const secondError = firstError === null && second.length > 1 ? error : await attempt(tx, second, write);
  if (secondError !== null) found.push(...(await failing(tx, second, write, secondError)));
  return found;
}

/** A read an attempt made, and what it answered. */
interface Read {
  method: 'all' | 'get';
  sql: string;
  params: readonly SqlValue[] | undefined;
  rows: unknown;
}

const sameParams = (a: readonly SqlValue[] = [], b: readonly SqlValue[] = []) =>
  a.length === b.length &&
  a.every((v, i) => {
    const w = b[i];
    return v instanceof Uint8Array && w instanceof Uint8Array ? Buffer.compare(v, w) === 0 : v === w;
  });

/**
 * The reads an attempt makes before its first write, recorded. A retry of the batch without
 * some entries (its projector reads for the whole batch) makes the same reads first, in the
 * same state: given the record, they are answered from it, and at the retry's first other
 * call the transaction goes back to the attempt's start (`apply_part`) and on to the database.
 */
class Reads implements Sql {
  readonly recorded: Read[] = [];
  /** still recording (an attempt) or answering from `replay` (a retry) */
  private leading = true;
  constructor(
    private readonly tx: Sql,
    private readonly replay: readonly Read[] | null = null,
  ) {}

  private async read<T>(method: Read['method'], sql: string, params: readonly SqlValue[] | undefined, go: () => Promise<T>): Promise<T> {
    if (this.leading && this.replay) {
      const was = this.replay[this.recorded.length];
      if (was && was.method === method && was.sql === sql && sameParams(was.params, params)) {
        this.recorded.push(was);
        return was.rows as T;
      }
      await this.finish();
    }
    const rows = await go();
    if (this.leading) this.recorded.push({ method, sql, params, rows });
    return rows;
  }

  /** Ends the leading reads (a retry: back to the attempt's start, also when it wrote nothing). */
  async finish(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    if (this.replay) await this.tx.exec('ROLLBACK TO apply_part');
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.read('all', sql, params, () => this.tx.all<T>(sql, params));
  }
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.read('get', sql, params, () => this.tx.get<T>(sql, params));
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    await this.finish();
    return this.tx.run(sql, params);
  }
  async exec(sql: string): Promise<void> {
    await this.finish();
    return this.tx.exec(sql);
  }
}

/**
 * Applies `entries`, setting aside those that cannot be applied. `eventOf` names the event an entry
 * carries, to match the events RefusedRows names. `apply` reads what `readFor` (holding the
 * entries) touches.
 */
export async function applyIsolating<E>(
  tx: Sql,
  entries: readonly E[],
  apply: (tx: Sql, entries: readonly E[], readFor: readonly E[]) => Promise<void>,
  setAside: (tx: Sql, entry: E, reason: string) => Promise<void>,
  eventOf: (entry: E) => EventRecord | null,
): Promise<void> {
  if (entries.length === 0) return;
  await tx.exec('SAVEPOINT apply_part');
  const attempt = new Reads(tx);
  try {
    await apply(attempt, entries, entries);
    await tx.exec('RELEASE apply_part');
  } catch (err) {
    if (isTransient(err)) throw err;
    const reasons = err instanceof RefusedRows ? err.refused : new Map<EventRecord, string>();
    const reasonOf = (e: E) => {
      const ev = eventOf(e);
      return ev === null ? undefined : reasons.get(ev);
    };
    const refused = entries.filter((e) => reasonOf(e) !== undefined);
    const rest = entries.filter((e) => reasonOf(e) === undefined);
    if (refused.length > 0) {
      // retried without them, reading what the attempt read
      try {
        const retry = new Reads(tx, attempt.recorded);
        await apply(retry, rest, entries);
        await retry.finish();
        await tx.exec('RELEASE apply_part');
      } catch (again) {
        if (isTransient(again)) throw again;
        // another failure: from the start, where it is isolated in turn
        await tx.exec('ROLLBACK TO apply_part; RELEASE apply_part');
        await applyIsolating(tx, rest, apply, setAside, eventOf);
      }
      for (const e of refused) await setAside(tx, e, reasonOf(e)!);
      return;
    }
    await tx.exec('ROLLBACK TO apply_part; RELEASE apply_part');
    if (entries.length === 1) {
      await setAside(tx, entries[0], messageOf(err));
      return;
    }
    const size = Math.ceil(entries.length / SPLIT);
    for (let i = 0; i < entries.length; i += size) await applyIsolating(tx, entries.slice(i, i + size), apply, setAside, eventOf);
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
