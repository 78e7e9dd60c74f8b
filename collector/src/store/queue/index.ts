// The SQLite ingest queue: how a collector on SQLite answers many requests per second and
// still answers only what is durable.
//
// Applying an event touches a dozen tables and their indexes (orders, items, carts, the
// aggregates, the profiles): about 100 µs of CPU and 20 KB of WAL per event, where making it
// durable needs one small row. So on SQLite, groups of requests are handed to an append thread
// (appender.ts) that tells duplicates, appends the rest to a queue in a file of its own,
// `<db>-queue` (its own lock: appends never wait for the tables), commits with
// synchronous = FULL and answers. An apply thread at the lowest CPU priority (applier.ts)
// applies the queue to the tables in order, in big transactions, through the one write path
// (EventWriter), and records in the main database, in the same transaction, how far it got:
// each queued event is applied exactly once, across crashes and restarts. Answering always
// comes first: while requests queue for their answers, young entries wait (../log/pressure.ts),
// and bursts are applied as soon as they have passed.
//
// Reads on the main connection wait until every event answered before them is applied
// (`settled`, the main connection's barrier), so reports never miss an answered event.
import { DatabaseUnavailableError, HttpError } from '../../errors.js';
import type { GroupWriter } from '../log/writer.js';
import type { EventOutcome, IngestWrite } from '../types.js';
import type { FromApplier, FromAppender, ThreadData, ToApplier, ToAppender } from './messages.js';
import { Thread } from '../thread.js';
import { logError } from '../../log-line.js';

/** Entries waiting beyond this are refused with 503 (the SDK retries): a burst is absorbed, an overload does not grow the queue without end. */
export const MAX_BACKLOG = 500_000;

export class QueueFullError extends HttpError {
  constructor() {
    super(503, 'busy', 'server: too many events are waiting to be applied; nothing was stored, retry in a few seconds', { 'retry-after': '5' });
  }
}

export class IngestQueue implements GroupWriter {
  /** groups in flight at once: the append thread takes all that have arrived in one commit */
  readonly concurrency = 8;
  /** newest position answered (null until the append thread has read the queue), and newest applied */
  private acked: number | null = null;
  private applied: number;
  private waiters: { upTo: number | null; resolve: () => void }[] = [];
  /** when each answered position not yet known applied was answered, oldest first */
  private answeredAt: { seq: number; at: number }[] = [];
  private readonly appends = new Map<number, { resolve: (o: EventOutcome[][]) => void; reject: (e: Error) => void; receivedAt: number }>();
  private nextId = 1;
  private readonly appender: Thread<ToAppender, FromAppender>;
  private readonly applier: Thread<ToApplier, FromApplier>;
  private closed = false;

  /** `path` is the main database file, migrated; `appliedSeq` and `queueId` as recorded there. */
  constructor(
    path: string,
    { appliedSeq, queueId, maxBacklog = MAX_BACKLOG, busyTimeoutMs = 10_000 }: { appliedSeq: number; queueId: string; maxBacklog?: number; busyTimeoutMs?: number },
    private readonly onError: (message: string) => void = logError,
  ) {
    this.applied = appliedSeq;
    const data = (): ThreadData => ({ path, appliedSeq: this.applied, maxBacklog, queueId, busyTimeoutMs });
    this.appender = new Thread<ToAppender, FromAppender>(
      'queue/appender',
      data,
      (m) => this.fromAppender(m),
      (why) => {
        this.onError(`the ingest queue's append thread stopped (${why}); starting a new one`);
        // nothing of theirs was committed: a 503, retried
        for (const a of this.appends.values()) a.reject(new DatabaseUnavailableError(new Error(`the ingest queue's append thread stopped (${why})`)));
        this.appends.clear();
      },
    );
    this.applier = new Thread<ToApplier, FromApplier>(
      'queue/applier',
      data,
      (m) => (m.type === 'applied' ? this.advance(m.seq) : this.onError(m.message)),
      (why) => {
        this.onError(`the ingest queue's apply thread stopped (${why}); starting a new one`);
        // the new one starts from the recorded position
        setTimeout(() => this.acked !== null && this.applier.post({ type: 'appended', seq: this.acked }), 300).unref();
      },
    );
  }

  private fromAppender(m: FromAppender): void {
    if (m.type === 'warning') {
      this.onError(m.message);
      return;
    }
    if (m.type === 'ready') {
      this.acked = Math.max(this.acked ?? 0, m.tail);
      this.applier.post({ type: 'appended', seq: this.acked });
      this.wake();
      return;
    }
    const a = this.appends.get(m.id);
    if (!a) return;
    this.appends.delete(m.id);
    if ('error' in m) {
      a.reject(m.busy ? new QueueFullError() : Object.assign(new Error(m.error), { code: m.code }));
      return;
    }
    if (m.seq > (this.acked ?? 0)) {
      this.acked = m.seq;
      if (Number.isFinite(a.receivedAt)) this.answeredAt.push({ seq: m.seq, at: a.receivedAt });
      this.applier.post({ type: 'appended', seq: m.seq });
    }
    a.resolve(m.outcomes);
  }

  private advance(seq: number): void {
    if (seq <= this.applied) return;
    this.applied = seq;
    let n = 0;
    while (n < this.answeredAt.length && this.answeredAt[n].seq <= seq) n++;
    if (n) this.answeredAt.splice(0, n);
    this.appender.post({ type: 'applied', seq });
    this.wake();
  }

  private wake(): void {
    if (this.acked === null) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      const upTo = w.upTo ?? this.acked;
      if (upTo <= this.applied) w.resolve();
      else still.push({ upTo, resolve: w.resolve });
    }
    this.waiters = still;
  }

  writeGroup(writes: readonly IngestWrite[]): Promise<EventOutcome[][]> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const receivedAt = Math.min(...writes.flatMap((w) => w.events.map((e) => e.receivedAt).concat(w.rejects.map((r) => r.receivedAt))));
      this.appends.set(id, { resolve, reject, receivedAt });
      if (!this.appender.post({ type: 'append', id, writes })) {
        this.appends.delete(id);
        reject(new DatabaseUnavailableError(new Error("the ingest queue's append thread is restarting")));
      }
    });
  }

  /** Requests queue for their answers: the apply thread leaves young entries for later. */
  busy(): void {
    this.applier.post({ type: 'busy' });
  }

  /** When the oldest events this collector answered and not yet applied were received (any customer's: the queue is shared); null when none. */
  async pendingSince(): Promise<number | null> {
    return this.answeredAt[0]?.at ?? null;
  }

  /** Null when every event answered so far is applied; else resolves once it is. */
  settled(): Promise<void> | null {
    if (this.acked !== null && this.applied >= this.acked) return null;
    if (this.closed) return null;
    const upTo = this.acked;
    // not left for after a burst (before the append thread is ready, everything queued is old)
    if (upTo !== null) this.applier.post({ type: 'urgent', seq: upTo });
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  /** Stops both threads once the groups in flight are answered (what is still queued is applied at the next start). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.appender.stop({ type: 'close' });
    // the append thread answers what it holds before it exits; anything else was never queued
    for (const a of this.appends.values()) a.reject(new Error('the store is closed'));
    this.appends.clear();
    await this.applier.stop({ type: 'close' });
    // readers still waiting read what is applied
    for (const w of this.waiters.splice(0)) w.resolve();
  }
}
