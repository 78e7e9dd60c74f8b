// The ingest queue's append thread (see ./index.ts). Each turn takes every group that has
// arrived and, in one transaction on the queue file, tells duplicates (an event ID, or an
// order ID, already queued or applied), appends the rest, and answers the groups once it is
// committed with synchronous = FULL. The fsync blocks this thread, never the requests.
import { existsSync, renameSync } from 'node:fs';
import { serialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { EventOutcome, IngestWrite } from '../types.js';
import { queuePath, type FromAppender, type QueueEntry, type ThreadData, type ToAppender } from './messages.js';

const port = parentPort!;
const post = (m: FromAppender) => port.postMessage(m);
const { path, appliedSeq, maxBacklog, queueId, busyTimeoutMs } = workerData as ThreadData;

/**
 * The queue file, checked to be this database's: a queue file left by another database (the
 * database file replaced, restored or removed without it) is set aside, never applied here
 * and never deleted.
 */
function openQueue(): BetterSqlite3.Database {
  const file = queuePath(path);
  const q = new BetterSqlite3(file);
  q.exec('CREATE TABLE IF NOT EXISTS queue_owner (queue_id TEXT NOT NULL)');
  const owner = q.prepare('SELECT queue_id FROM queue_owner').pluck().get() as string | undefined;
  if (owner === undefined) q.prepare('INSERT INTO queue_owner (queue_id) VALUES (?)').run(queueId);
  if (owner === undefined || owner === queueId) return q;
  q.close();
  const aside = `${file}.other-${owner}`;
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  post({ type: 'warning', message: `the ingest queue file ${file} belongs to another database (${owner}); it was moved to ${aside} and a new one started` });
  return openQueue();
}

const q = openQueue();
q.defaultSafeIntegers(false);
q.pragma('journal_mode = WAL');
// a pruned entry's bytes (a shopper's email) are zeroed, not left in free pages
q.pragma('secure_delete = ON');
q.pragma('synchronous = FULL');
q.pragma(`busy_timeout = ${busyTimeoutMs}`);
// event_key and order_key tell what an entry is, for the duplicate checks; no index on them
// (each would cost a random page per entry and commit): they are kept in memory instead
q.exec(`CREATE TABLE IF NOT EXISTS queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_key TEXT,
  order_key TEXT,
  entry BLOB NOT NULL
)`);
// positions only grow, even if the queue file was removed: never at or below what is applied
q.prepare("INSERT INTO sqlite_sequence (name, seq) SELECT 'queue', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'queue')").run();
q.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'queue'").run(appliedSeq);
const insert = q.prepare('INSERT INTO queue (event_key, order_key, entry) VALUES (?, ?, ?)');
const keysAfter = q.prepare('SELECT seq, event_key, order_key FROM queue WHERE seq > ? ORDER BY seq');
const prune = q.prepare('DELETE FROM queue WHERE seq <= ?');
const lastSeq = q.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'queue'").pluck();

/** An entry's keys in memory: its event key, and its order key marked apart (`o…`). */
const keysOf = (eventKey: string | null, orderKey: string | null): string[] => {
  const keys = eventKey === null ? [] : [eventKey];
  if (orderKey !== null) keys.push(`o${orderKey}`);
  return keys;
};

/**
 * The keys (event and order) of the entries queued and not yet applied: this thread's, and,
 * read at the start of each turn under the queue's write lock, those another collector on the
 * same file appended meanwhile.
 */
class Queued {
  private readonly counts = new Map<string, number>();
  private readonly groups: { seq: number; keys: string[] }[] = [];

  /** `seen`: the newest position accounted for */
  constructor(public seen: number) {}

  /** how many entries with keys are held (a mark for `undo`) */
  get size(): number {
    return this.groups.length;
  }

  has(key: string): boolean {
    return this.counts.has(key);
  }

  add(seq: number, keys: string[]): void {
    for (const k of keys) this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    if (keys.length) this.groups.push({ seq, keys });
    this.seen = Math.max(this.seen, seq);
  }

  /** Reads what other collectors appended since `seen`. */
  catchUp(): void {
    for (const r of keysAfter.iterate(this.seen) as Iterable<{ seq: number; event_key: string | null; order_key: string | null }>) {
      this.add(r.seq, keysOf(r.event_key, r.order_key));
    }
  }

  private forget(keys: string[]): void {
    for (const k of keys) {
      const left = this.counts.get(k)! - 1;
      if (left > 0) this.counts.set(k, left);
      else this.counts.delete(k);
    }
  }

  applied(seq: number): void {
    let n = 0;
    for (; n < this.groups.length && this.groups[n].seq <= seq; n++) this.forget(this.groups[n].keys);
    this.groups.splice(0, n);
  }

  /** Takes back the entries added since `mark` (a turn that rolled back), and the position. */
  undo(mark: number, committed: number): void {
    for (const g of this.groups.splice(mark)) this.forget(g.keys);
    this.seen = Math.min(this.seen, committed);
  }
}

const queued = new Queued(appliedSeq);
queued.catchUp(); // what an earlier process left queued

// the applied events, only read here (the apply thread writes them). Looked up after the queue,
// within the queue's write transaction: an entry leaves the queue only once it is applied, so
// an event is always found in one or the other.
const main = new BetterSqlite3(path, { fileMustExist: true });
main.pragma(`busy_timeout = ${busyTimeoutMs}`);
const seenEvent = main.prepare('SELECT 1 FROM seen_events WHERE customer_id = ? AND event_id = ?').pluck();
const seenOrder = main.prepare('SELECT 1 FROM orders WHERE customer_id = ? AND order_id = ?').pluck();

const SEP = '\u0000';

let applied = appliedSeq;
let tail = Number(lastSeq.get());
let pruned = 0;

/** Queues a group's new events (in the open transaction); answers their outcomes. */
function append(writes: readonly IngestWrite[]): EventOutcome[][] {
  return writes.map((w) => {
    const outcomes: EventOutcome[] = [];
    for (const ev of w.events) {
      const ek = ev.eventId === '' ? null : `${w.customerId}${SEP}${ev.eventId}`;
      if (ek !== null && (queued.has(ek) || seenEvent.get(w.customerId, ev.eventId) !== undefined)) {
        outcomes.push('duplicate');
        continue;
      }
      // a repeated order ID is queued all the same: applying it fills in what the stored copy lacks
      const ok = ev.type === 'order' ? `${w.customerId}${SEP}${ev.orderId}` : null;
      const known = ok !== null && (queued.has(`o${ok}`) || seenOrder.get(w.customerId, (ev as { orderId: string }).orderId) !== undefined);
      tail = Number(insert.run(ek, ok, serialize({ customerId: w.customerId, event: ev } satisfies QueueEntry)).lastInsertRowid);
      // counted at once, so a repeat later in the same turn is told too (undone if the turn fails)
      queued.add(tail, keysOf(ek, ok));
      outcomes.push(known ? 'duplicate' : 'accepted');
    }
    for (const r of w.rejects) tail = Number(insert.run(null, null, serialize({ customerId: w.customerId, reject: r } satisfies QueueEntry)).lastInsertRowid);
    return outcomes;
  });
}

let pending: Extract<ToAppender, { type: 'append' }>[] = [];
let scheduled = false;

/** A turn after the messages already arrived (those of one event-loop pass share a commit). */
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(turn);
}

function turn(): void {
  scheduled = false;
  const batch = pending;
  pending = [];
  if (batch.length === 0) {
    if (applied > pruned) {
      try {
        prune.run(applied);
        pruned = applied;
        // idle: the WAL's copies of the pruned pages go too
        q.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // busy (another collector's turn): the next turn prunes
      }
    }
    return;
  }
  if (tail - applied >= maxBacklog) {
    for (const r of batch) post({ type: 'ack', id: r.id, error: 'queue full', busy: true });
    return;
  }
  let mark = queued.size;
  try {
    q.exec('BEGIN IMMEDIATE');
    queued.catchUp(); // other collectors' entries: committed, kept even if this turn fails
    // an answer covers them too: a duplicate of another collector's queued event is answered
    // only as applied once that event is, so a read after it never misses it
    tail = Math.max(tail, queued.seen);
    mark = queued.size;
    const answers = batch.map((r) => append(r.writes));
    // applied entries leave the queue in the same commit
    if (applied > pruned) prune.run(applied);
    q.exec('COMMIT');
    pruned = applied;
    batch.forEach((r, i) => post({ type: 'ack', id: r.id, outcomes: answers[i], seq: tail }));
  } catch (err) {
    if (q.inTransaction) q.exec('ROLLBACK');
    tail = Number(lastSeq.get());
    queued.undo(mark, tail); // never queued after all
    const message = err instanceof Error ? err.message : String(err);
    // the code crosses too: a full disk or a lock held too long is a 503 the client retries
    const code = (err as { code?: unknown }).code;
    for (const r of batch) post({ type: 'ack', id: r.id, error: message, code: typeof code === 'string' ? code : undefined, busy: false });
  }
}

port.on('message', (m: ToAppender) => {
  if (m.type === 'close') {
    if (scheduled) turn();
    if (applied > pruned) prune.run(applied);
    q.close();
    main.close();
    port.close();
    return;
  }
  if (m.type === 'applied') {
    applied = Math.max(applied, m.seq);
    queued.applied(m.seq);
    // applied entries leave the file now, not at the next append (which a quiet collector may
    // not see for hours): they hold shoppers' emails, which an erasure must not leave behind
    schedule();
    return;
  }
  pending.push(m);
  schedule();
});
post({ type: 'ready', tail });
