// The ingest queue's apply thread (see ./index.ts): applies the queued events to the tables,
// oldest first, and records how far it got in the same transaction. Answering requests comes
// first: it runs at the lowest CPU priority the system grants, and while the collector's
// requests queue for their answers it leaves young entries queued, unless a reader waits for
// them (../log/pressure.ts); a burst is applied as soon as it has passed.
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { num, type Sql } from '../database.js';
import { applyIsolating, setAside } from '../log/isolate.js';
import { PRESSURE_MS, Pressure } from '../log/pressure.js';
import { Projector } from '../projection/projector.js';
import { insertRejected } from '../rejected.js';
import { SqliteDatabase } from '../sqlite.js';
import { lowestPriority, takeQueued } from '../thread.js';
import { queuePath, type FromApplier, type QueueEntry, type ThreadData, type ToApplier } from './messages.js';

/**
 * Entries per transaction: many share pages (aggregates, index tails); few keep the write
 * lock short, which the main thread's own writes (sweep, logins) may be waiting for.
 */
const BATCH = 200;
/** After a failure that may pass (busy, disk full), applying pauses this long. */
const RETRY_MS = 1000;

const port = parentPort!;
const post = (m: FromApplier) => port.postMessage(m);

lowestPriority();

const { path, appliedSeq } = workerData as ThreadData;
const db = new SqliteDatabase(path);
// The queue file through a connection of its own, only read (attached to `db`, it would be
// locked by every apply transaction and appends would wait). Opened on the first news of an
// append, when the append thread has surely created it; not read-only, which SQLite refuses
// for a WAL file whose shared-memory file does not exist yet.
let nextEntries: BetterSqlite3.Statement | null = null;
let queue: BetterSqlite3.Database | null = null;
function entries(after: number, limit: number): { seq: number; entry: Buffer }[] {
  if (!nextEntries) {
    queue = new BetterSqlite3(queuePath(path), { fileMustExist: true });
    queue.defaultSafeIntegers(false);
    nextEntries = queue.prepare('SELECT seq, entry FROM queue WHERE seq > ? ORDER BY seq LIMIT ?');
  }
  return nextEntries.all(after, limit) as { seq: number; entry: Buffer }[];
}
const projector = new Projector(db);

const eventsOf = (list: readonly QueueEntry[]) => list.flatMap((e) => ('event' in e ? [e] : []));

/** Applies a run of entries (reading what `readFor` touches): the events through the projector, the refused requests kept with their reasons. */
async function applyEntries(tx: Sql, list: readonly QueueEntry[], readFor: readonly QueueEntry[]): Promise<void> {
  await projector.apply(tx, eventsOf(list), { recordSeen: true }, eventsOf(readFor));
  for (const e of list) if ('reject' in e) await insertRejected(tx, e.reject);
}

async function setEntryAside(tx: Sql, e: QueueEntry, reason: string): Promise<void> {
  if ('event' in e) await setAside(tx, e.customerId, e.event, reason);
  // a refused request that cannot even be kept: said in the log, with its text
  else post({ type: 'failed', message: `a rejected request could not be kept (${reason}): ${JSON.stringify(e.reject).slice(0, 2000)}` });
}

/** Applies the next batch; answers the position reached and how many entries it applied. */
async function applyBatch(): Promise<{ seq: number; count: number }> {
  return db.transaction(async (tx) => {
    // the position is read inside the write transaction: another process applying the same
    // queue waits for this one, then starts after it
    const at = num((await tx.get<{ seq: unknown }>('SELECT seq FROM ingest_applied WHERE id = 1'))?.seq);
    const rows = entries(at, BATCH);
    if (rows.length === 0) return { seq: at, count: 0 };
    await applyIsolating(tx, rows.map((r) => deserialize(r.entry) as QueueEntry), applyEntries, setEntryAside, (e) => ('event' in e ? e.event : null));
    const last = num(rows[rows.length - 1].seq);
    await tx.run('UPDATE ingest_applied SET seq = $1 WHERE id = 1', [last]);
    return { seq: last, count: rows.length };
  });
}

let known = 0; // newest position the main thread reported
let applied = appliedSeq; // newest position this thread applied or found applied
const pressure = new Pressure();
let urgentUpTo = 0; // newest position a waiting reader needs applied
let recheck: ReturnType<typeof setTimeout> | undefined;

/** When the oldest entry not yet applied was received (read from the queue: it may hold entries not yet reported). */
function oldestReceivedAt(): number | undefined {
  const [first] = entries(applied, 1);
  if (!first) return undefined;
  const e = deserialize(first.entry) as QueueEntry;
  return 'event' in e ? e.event.receivedAt : e.reject.receivedAt;
}

/** Whether the next entries may wait (then looks again once the pressure may have passed). */
function deferred(): boolean {
  if (urgentUpTo > applied || !pressure.pressed()) return false;
  const since = oldestReceivedAt();
  if (since === undefined || !pressure.defers(since)) return false;
  recheck ??= setTimeout(() => {
    recheck = undefined;
    void run();
  }, PRESSURE_MS);
  return true;
}

let running = false;
let closing = false;
let lastError = '';

async function run(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (;;) {
      takeQueued(port, take);
      if (closing || deferred()) break;
      const { seq, count } = await applyBatch();
      applied = seq;
      lastError = '';
      // also when another collector on this file applied them: the main thread must hear it
      post({ type: 'applied', seq });
      if (count === 0 || seq >= known) break;
      // let the main thread's messages in between batches
      await new Promise((r) => setImmediate(r));
    }
  } catch (err) {
    // refusals were set aside inside the batch: what reaches here may pass (busy, disk full)
    const message = err instanceof Error ? err.message : String(err);
    if (message !== lastError) post({ type: 'failed', message: `applying queued events failed, retrying in ${RETRY_MS} ms: ${message}` });
    lastError = message;
    setTimeout(() => void run(), RETRY_MS);
  } finally {
    running = false;
  }
  if (closing) await shutdown();
}

let shut = false;
async function shutdown(): Promise<void> {
  if (shut) return;
  shut = true;
  await db.close();
  queue?.close();
  port.close();
}

function take(m: ToApplier): void {
  if (m.type === 'close') {
    closing = true;
    clearTimeout(recheck);
    if (!running) void shutdown();
    return;
  }
  if (m.type === 'busy') {
    pressure.heard();
    return;
  }
  if (m.type === 'urgent') urgentUpTo = Math.max(urgentUpTo, m.seq);
  else known = Math.max(known, m.seq);
  void run();
}

port.on('message', take);
