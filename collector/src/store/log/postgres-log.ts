// Ingest on PostgreSQL: log, then project (docs/collector.md, "Ingest"; docs/scale.md).
//
// A group of requests is appended to `ingest_log` in ONE statement (one round trip, one
// commit): in the same statement, unique keys decide duplicates, by event ID (seen_events)
// and by order ID (order_ids), so the answer still says `duplicate`. Then it is answered.
//
// Projection workers, one per collector, apply the log to the tables in set-based batches
// (projector.ts). A batch is one customer's oldest entries, deleted from the log in the same
// transaction that applies them: each entry is applied exactly once across crashes, and a
// killed collector's batch simply returns to the log. A customer is projected by one worker
// at a time (a transaction-scoped advisory lock, released if its collector dies), so any
// number of collectors share the work and each customer's events apply in log order.
import { insertRejected } from '../rejected.js';
import type { Database, Sql } from '../database.js';
import type { GroupWriter } from './writer.js';
import { jsonParam } from '../json-param.js';
import { Projector } from '../projection/projector.js';
import type { EventOutcome, IngestWrite } from '../types.js';
import { decodeEvent, encodeEvent } from './entry.js';
import { applyIsolating, setAside } from './isolate.js';

/** Entries per projected batch (one customer's). */
const BATCH = 500;
/** How often an idle worker looks for entries other collectors appended. */
const IDLE_POLL_MS = 50;
/**
 * After a batch that did not fill, the worker lets entries gather this long before the next
 * (unless a reader waits): under load, fewer and larger batches cost less per event, and the
 * CPU goes to answering requests first.
 */
const GATHER_MS = 100;
/** After a failure that may pass (the database restarting), the worker pauses this long. */
const RETRY_MS = 1000;
/** A read waits at most this long for the projection of what this collector answered. */
const MAX_WAIT_MS = 10_000;
/** Key space of the per-customer advisory locks (the first of the two int4 keys). */
const LOCK_SPACE = 74_301_772;

const APPEND = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(ord int, customer_id text, event_id text, order_id text, received_at bigint, entry text)
), fresh_events AS (
  INSERT INTO seen_events (customer_id, event_id, received_at)
  SELECT customer_id, event_id, received_at FROM input WHERE event_id <> ''
  ON CONFLICT (customer_id, event_id) DO NOTHING
  RETURNING customer_id, event_id
), kept AS (
  SELECT i.* FROM input i
  WHERE i.event_id = '' OR EXISTS (SELECT 1 FROM fresh_events f WHERE f.customer_id = i.customer_id AND f.event_id = i.event_id)
), fresh_orders AS (
  INSERT INTO order_ids (customer_id, order_id)
  SELECT customer_id, order_id FROM kept WHERE order_id IS NOT NULL
  ON CONFLICT (customer_id, order_id) DO NOTHING
  RETURNING customer_id, order_id
), logged AS (
  INSERT INTO ingest_log (customer_id, received_at, entry)
  SELECT customer_id, received_at, entry FROM kept ORDER BY ord
  RETURNING seq
)
SELECT i.ord, k.ord IS NOT NULL AS kept, o.order_id IS NOT NULL AS new_order, (SELECT max(seq) FROM logged) AS seq
FROM input i
LEFT JOIN kept k ON k.ord = i.ord
LEFT JOIN fresh_orders o ON o.customer_id = i.customer_id AND o.order_id = i.order_id`;

/** Customers with entries in the log: a skip scan of its primary key (a few index probes, whatever its length). */
const PENDING_CUSTOMERS = `
WITH RECURSIVE c AS (
  (SELECT customer_id FROM ingest_log ORDER BY customer_id LIMIT 1)
  UNION ALL
  SELECT (SELECT l.customer_id FROM ingest_log l WHERE l.customer_id > c.customer_id ORDER BY l.customer_id LIMIT 1) FROM c WHERE c.customer_id IS NOT NULL
)
SELECT customer_id, (SELECT min(seq) FROM ingest_log l WHERE l.customer_id = c.customer_id) AS first
FROM c WHERE customer_id IS NOT NULL`;

interface Waiter {
  upTo: number;
  resolve: () => void;
}

export class PostgresLog implements GroupWriter {
  /** groups appended at once: each is one statement, so several overlap their round trips and commits */
  readonly concurrency = 4;
  private readonly projector: Projector;
  /** newest position this collector appended, and the lowest position known still in the log (null: none) */
  private acked = 0;
  private waiters: Waiter[] = [];
  private closed = false;
  private running: Promise<void> | null = null;
  /** ends the worker's sleep (see `wake`) */
  private wakeUp: ((urgent: boolean) => void) | null = null;
  private lastError = '';

  constructor(
    private readonly db: Database,
    private readonly onError: (message: string) => void = (m) => console.error(`emarsys-collector: ${m}`),
  ) {
    this.projector = new Projector(db);
    this.running = this.loop();
  }

  async writeGroup(writes: readonly IngestWrite[]): Promise<EventOutcome[][]> {
    if (this.closed) throw new Error('the store is closed');
    const input: { ord: number; customer_id: string; event_id: string; order_id: string | null; received_at: number; entry: string }[] = [];
    // repeats inside the group are told here: the statement sees each key once
    const seenHere = new Set<string>();
    const plan: ({ ord: number; orderKey: string | null } | 'duplicate')[][] = writes.map((w) =>
      w.events.map((ev) => {
        const eventKey = ev.eventId === '' ? null : `${w.customerId}\u0000${ev.eventId}`;
        if (eventKey !== null && seenHere.has(eventKey)) return 'duplicate';
        if (eventKey !== null) seenHere.add(eventKey);
        const ord = input.length;
        const orderId = ev.type === 'order' ? ev.orderId : null;
        input.push({ ord, customer_id: w.customerId, event_id: ev.eventId, order_id: orderId, received_at: ev.receivedAt, entry: encodeEvent(ev) });
        return { ord, orderKey: orderId === null ? null : `${w.customerId}\u0000${orderId}` };
      }),
    );
    const rejects = writes.flatMap((w) => w.rejects);
    const append = async (q: Sql) => (input.length ? q.all<{ ord: number; kept: boolean; new_order: boolean; seq: unknown }>(APPEND, [jsonParam(input)]) : []);
    const rows = rejects.length
      ? await this.db.immediate.transaction(async (tx) => {
          const r = await append(tx);
          for (const reject of rejects) await insertRejected(tx, reject);
          return r;
        })
      : await append(this.db.immediate);
    const byOrd = new Map(rows.map((r) => [r.ord, r]));
    const newOrderTaken = new Set<string>();
    for (const r of rows) if (r.seq !== null && Number(r.seq) > this.acked) this.acked = Number(r.seq);
    if (rows.length) this.wake(false);
    return plan.map((events) =>
      events.map((p) => {
        if (p === 'duplicate') return 'duplicate';
        const r = byOrd.get(p.ord)!;
        if (!r.kept) return 'duplicate';
        if (p.orderKey === null) return 'accepted';
        // one new order per order ID, even when the group holds it twice
        if (!r.new_order || newOrderTaken.has(p.orderKey)) return 'duplicate';
        newOrderTaken.add(p.orderKey);
        return 'accepted';
      }),
    );
  }

  /** Null when everything this collector answered is projected; else resolves once it is (or after MAX_WAIT_MS). */
  settled(): Promise<void> | null {
    if (this.closed || this.acked === 0) return null;
    const upTo = this.acked;
    return new Promise((resolve) => {
      const waiter = { upTo, resolve };
      this.waiters.push(waiter);
      this.wake(true);
      setTimeout(() => this.release(waiter), MAX_WAIT_MS).unref();
    });
  }

  private release(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
    w.resolve();
  }

  /** When the oldest entry a customer still has in the log was received; null when none. */
  async pendingSince(customerId: string): Promise<number | null> {
    const row = await this.db.immediate.get<{ received_at: unknown }>('SELECT received_at FROM ingest_log WHERE customer_id = $1 ORDER BY seq LIMIT 1', [
      customerId,
    ]);
    return row ? Number(row.received_at) : null;
  }

  /** New entries end an idle sleep; a waiting reader (`urgent`) ends any. */
  private wake(urgent: boolean): void {
    this.wakeUp?.(urgent);
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      let worked = false;
      let full = false;
      try {
        const pending = await this.db.immediate.all<{ customer_id: string; first: unknown }>(PENDING_CUSTOMERS);
        // readers wait for positions below the lowest one still in the log
        const lowest = pending.reduce((m, p) => Math.min(m, Number(p.first)), Number.POSITIVE_INFINITY);
        for (const w of [...this.waiters]) if (w.upTo < lowest) this.release(w);
        for (const { customer_id: customerId } of pending) {
          if (this.closed) break;
          const applied = await this.projectBatch(customerId);
          // another worker holds the customer (-1): it is busy, not idle
          if (applied !== 0) worked = true;
          if (applied === BATCH) full = true;
        }
        this.lastError = '';
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (message !== this.lastError) this.onError(`projecting the ingest log failed, retrying in ${RETRY_MS} ms: ${message}`);
        this.lastError = message;
        await this.sleep(RETRY_MS);
        continue;
      }
      // a backlog goes on at once; otherwise let entries gather, or wait for news
      if (!full) await (worked ? this.sleep(GATHER_MS, false) : this.sleep(IDLE_POLL_MS, true));
    }
  }

  private sleep(ms: number, idle = true): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = (urgent) => {
        if (!urgent && !idle) return;
        this.wakeUp = null;
        done();
      };
    });
  }

  /** Projects one batch of a customer's entries; answers how many it applied, or -1 when another worker holds the customer. */
  private projectBatch(customerId: string): Promise<number> {
    return this.db.immediate.transaction(async (tx) => {
      const lock = await tx.get<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok', [LOCK_SPACE, customerId]);
      if (!lock?.ok) return -1;
      const rows = await tx.all<{ seq: unknown; entry: string }>(
        `DELETE FROM ingest_log WHERE customer_id = $1 AND seq IN (SELECT seq FROM ingest_log WHERE customer_id = $1 ORDER BY seq LIMIT $2)
         RETURNING seq, entry`,
        [customerId, BATCH],
      );
      if (rows.length === 0) return 0;
      rows.sort((a, b) => Number(a.seq) - Number(b.seq));
      const entries = rows.map((r) => ({ customerId, event: decodeEvent(r.entry) }));
      await applyIsolating(
        tx,
        entries,
        (t, list) => this.projector.apply(t, list, { recordSeen: false }),
        (t, e, reason) => setAside(t, e.customerId, e.event, reason),
      );
      return rows.length;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake(true);
    await this.running;
    for (const w of this.waiters.splice(0)) w.resolve();
  }
}
