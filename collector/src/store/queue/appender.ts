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
const { path, appliedSeq, maxBacklog, queueId } = workerData as ThreadData;

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
q.pragma('synchronous = FULL');
q.pragma('busy_timeout = 10000');
// event_key and order_key let every collector on this file tell what is queued, whichever queued it
q.exec(`CREATE TABLE IF NOT EXISTS queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_key TEXT UNIQUE,
  order_key TEXT,
  entry BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_order ON queue (order_key) WHERE order_key IS NOT NULL`);
// positions only grow, even if the queue file was removed: never at or below what is applied
q.prepare("INSERT INTO sqlite_sequence (name, seq) SELECT 'queue', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'queue')").run();
q.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'queue'").run(appliedSeq);
const insert = q.prepare('INSERT INTO queue (event_key, order_key, entry) VALUES (?, ?, ?)');
const queuedEvent = q.prepare('SELECT 1 FROM queue WHERE event_key = ?').pluck();
const queuedOrder = q.prepare('SELECT 1 FROM queue WHERE order_key = ?').pluck();
const prune = q.prepare('DELETE FROM queue WHERE seq <= ?');
const lastSeq = q.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'queue'").pluck();

// the applied events, only read here (the apply thread writes them). Looked up after the queue,
// within the queue's write transaction: an entry leaves the queue only once it is applied, so
// an event is always found in one or the other.
const main = new BetterSqlite3(path, { fileMustExist: true });
main.pragma('busy_timeout = 10000');
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
      if (ek !== null && (queuedEvent.get(ek) !== undefined || seenEvent.get(w.customerId, ev.eventId) !== undefined)) {
        outcomes.push('duplicate');
        continue;
      }
      // a repeated order ID is queued all the same: applying it fills in what the stored copy lacks
      const ok = ev.type === 'order' ? `${w.customerId}${SEP}${ev.orderId}` : null;
      const known = ok !== null && (queuedOrder.get(ok) !== undefined || seenOrder.get(w.customerId, (ev as { orderId: string }).orderId) !== undefined);
      tail = Number(insert.run(ek, ok, serialize({ customerId: w.customerId, event: ev } satisfies QueueEntry)).lastInsertRowid);
      outcomes.push(known ? 'duplicate' : 'accepted');
    }
    for (const r of w.rejects) tail = Number(insert.run(null, null, serialize({ customerId: w.customerId, reject: r } satisfies QueueEntry)).lastInsertRowid);
    return outcomes;
  });
}

let pending: Extract<ToAppender, { type: 'append' }>[] = [];
let scheduled = false;

function turn(): void {
  scheduled = false;
  const batch = pending;
  pending = [];
  if (tail - applied >= maxBacklog) {
    for (const r of batch) post({ type: 'ack', id: r.id, error: 'queue full', busy: true });
    return;
  }
  try {
    q.exec('BEGIN IMMEDIATE');
    const answers = batch.map((r) => append(r.writes));
    // applied entries leave the queue in the same commit
    if (applied > pruned) prune.run(applied);
    q.exec('COMMIT');
    pruned = applied;
    batch.forEach((r, i) => post({ type: 'ack', id: r.id, outcomes: answers[i], seq: tail }));
  } catch (err) {
    if (q.inTransaction) q.exec('ROLLBACK');
    tail = Number(lastSeq.get());
    const message = err instanceof Error ? err.message : String(err);
    for (const r of batch) post({ type: 'ack', id: r.id, error: message, busy: false });
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
    return;
  }
  pending.push(m);
  if (!scheduled) {
    scheduled = true;
    setImmediate(turn);
  }
});
post({ type: 'ready', tail });
