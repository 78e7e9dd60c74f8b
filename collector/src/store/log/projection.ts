// PostgreSQL's projection worker (docs/collector.md, "Ingest: log, then project"): claims a
// customer at a time under a transaction-scoped advisory lock, deletes its oldest log entries
// and applies them set-based, in that one transaction. Answering requests comes first: the
// worker runs in a thread of its own at the lowest CPU priority (projection-thread.ts), and
// while its collector's requests queue for their answers it leaves young entries in the log,
// unless a reader waits for them (./pressure.ts).
import type { Database } from '../database.js';
import { Projector } from '../projection/projector.js';
import { decodeEvent } from './entry.js';
import { applyIsolating, setAside } from './isolate.js';
import { PRESSURE_MS, Pressure } from './pressure.js';
import { FirstStatistics } from './statistics.js';

/**
 * Entries per projected batch (one customer's). Also after a batch had to set an entry aside:
 * finding it costs about one more attempt whatever the batch's size (./isolate.ts), and
 * smaller batches would cost more per event.
 */
const BATCH = 500;
/** How often an idle worker looks for entries other collectors appended. */
const IDLE_POLL_MS = 50;
/**
 * After a batch that did not fill, the worker lets entries gather this long before the next
 * (unless a reader waits): under load, fewer and larger batches cost less per event.
 */
const GATHER_MS = 100;
/** After a failure that may pass (the database restarting), the worker pauses this long. */
const RETRY_MS = 1000;
/** Key space of the per-customer advisory locks (the first of the two int4 keys). */
const LOCK_SPACE = 74_301_772;

/** Customers with entries in the log: a skip scan of its primary key (a few index probes, whatever its length). */
const PENDING_CUSTOMERS = `
WITH RECURSIVE c AS (
  (SELECT customer_id FROM ingest_log ORDER BY customer_id LIMIT 1)
  UNION ALL
  SELECT (SELECT l.customer_id FROM ingest_log l WHERE l.customer_id > c.customer_id ORDER BY l.customer_id LIMIT 1) FROM c WHERE c.customer_id IS NOT NULL
)
SELECT customer_id, f.seq AS first, f.received_at AS since
FROM c CROSS JOIN LATERAL (SELECT seq, received_at FROM ingest_log l WHERE l.customer_id = c.customer_id ORDER BY seq LIMIT 1) f
WHERE customer_id IS NOT NULL`;

export class ProjectionWorker {
  private readonly projector: Projector;
  private readonly statistics: FirstStatistics;
  private closed = false;
  private readonly running: Promise<void>;
  /** ends the worker's sleep (see `wake`) */
  private wakeUp: ((urgent: boolean) => void) | null = null;
  private lastError = '';

  /** the newest reader's request heard (see `wake`) */
  private heard = 0;
  /** the newest reader with its answer: heard before a round that left nothing behind, or released by the collector (see `served`); newer ones wait, and nothing is deferred for them */
  private servedReader = 0;
  private readonly pressure = new Pressure();

  /**
   * `progress` hears, at each round, the lowest position still in the log (null: empty), and
   * the newest reader's request heard before that was read.
   */
  constructor(
    private readonly db: Database,
    private readonly progress: (lowest: number | null, heard: number) => void,
    private readonly onError: (message: string) => void,
    /** Takes in the news (pressure, readers) already queued for this thread (store/thread.ts, `takeQueued`), before each decision. */
    private readonly news: () => void = () => {},
  ) {
    this.projector = new Projector(db);
    this.statistics = new FirstStatistics(db.immediate);
    this.running = this.loop();
  }

  /** New entries end an idle sleep; a waiting reader (`urgent`) ends any. */
  wake(urgent: boolean, reader = 0): void {
    this.heard = Math.max(this.heard, reader);
    this.wakeUp?.(urgent);
  }

  /** Every reader up to `reader` has its answer (or gave up waiting): none of them needs haste any more. */
  served(reader: number): void {
    this.servedReader = Math.max(this.servedReader, reader);
  }

  /** The collector's requests queue for their answers. */
  busy(): void {
    this.pressure.heard();
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      let worked = false;
      let full = false;
      let deferred = false;
      try {
        await this.statistics.check();
        // (taken before `heard`, as if delivered sooner: the readers heard must come before the
        // log is read, whose lowest position they are told)
        this.news();
        const heard = this.heard;
        const urgent = heard > this.servedReader;
        const pending = await this.db.immediate.all<{ customer_id: string; first: unknown; since: unknown }>(PENDING_CUSTOMERS);
        // readers wait for positions below the lowest one still in the log
        this.progress(pending.length ? Math.min(...pending.map((p) => Number(p.first))) : null, heard);
        const now = Date.now();
        for (const { customer_id: customerId, since } of pending) {
          if (this.closed) break;
          if (!urgent && this.pressure.defers(Number(since), now)) {
            deferred = true;
            continue;
          }
          const batch = await this.projectBatch(customerId);
          // another worker holding the customer is busy, not idle
          if (batch === 'held' || batch.applied > 0) worked = true;
          if (batch !== 'held' && batch.full) full = true;
        }
        if (!deferred && !full) this.servedReader = heard;
        this.lastError = '';
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (message !== this.lastError) this.onError(`projecting the ingest log failed, retrying in ${RETRY_MS} ms: ${message}`);
        this.lastError = message;
        await this.sleep(RETRY_MS);
        continue;
      }
      // a backlog goes on at once; otherwise let entries gather, or wait for news
      if (deferred) await this.sleep(PRESSURE_MS, false);
      else if (!full) await (worked ? this.sleep(GATHER_MS, false) : this.sleep(IDLE_POLL_MS, true));
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

  /** Projects one batch of a customer's entries; answers how many it took and whether it was full, or that another worker holds the customer. */
  private projectBatch(customerId: string): Promise<{ applied: number; full: boolean } | 'held'> {
    return this.db.immediate.transaction(async (tx) => {
      const lock = await tx.get<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok', [LOCK_SPACE, customerId]);
      if (!lock?.ok) return 'held';
      // The entries stay in the durable log until this commits; a projection lost in a crash
      // is lost with the deletion of its entries, which are projected again. So its commit
      // need not wait for the disk.
      await tx.exec('SET LOCAL synchronous_commit TO off');
      const rows = await tx.all<{ seq: unknown; entry: string }>(
        `DELETE FROM ingest_log WHERE customer_id = $1 AND seq IN (SELECT seq FROM ingest_log WHERE customer_id = $1 ORDER BY seq LIMIT $2)
         RETURNING seq, entry`,
        [customerId, BATCH],
      );
      if (rows.length === 0) return { applied: 0, full: false };
      rows.sort((a, b) => Number(a.seq) - Number(b.seq));
      const entries = rows.map((r) => ({ customerId, event: decodeEvent(r.entry) }));
      await applyIsolating(
        tx,
        entries,
        (t, list, readFor) => this.projector.apply(t, list, { recordSeen: false }, readFor),
        (t, e, reason) => setAside(t, e.customerId, e.event, reason),
        (e) => e.event,
      );
      return { applied: rows.length, full: rows.length === BATCH };
    });
  }

  /** Stops after the batch in hand. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake(true);
    await this.running;
  }
}
