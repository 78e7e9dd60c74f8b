// Group commit: the requests that arrive in the same turn of the event loop are written in
// one transaction, and each is answered once that transaction has committed. One fsync
// then covers many requests, which is what keeps durable ingest fast. Up to `concurrency`
// groups are in flight at once (SQLite's append thread takes every group that has arrived
// in its next commit).

import { HttpError } from '../errors.js';
import { SaturationMeter } from './saturation.js';

/** Most requests written in one transaction, so a burst never makes one huge transaction. */
const MAX_GROUP = 256;

interface Waiting<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export class GroupCommitter<I, O> {
  private queue: Waiting<I, O>[] = [];
  private scheduled = false;
  private running = 0;
  private idle: (() => void)[] = [];

  private readonly meter: SaturationMeter | null;
  /** requests in the groups being written */
  private writing = 0;

  /**
   * `write` stores all items in one transaction and answers one result per item, in order;
   * `onBusy` hears, while it lasts, that requests queue for their answers (saturation.ts).
   */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly concurrency = 1,
    onBusy?: () => void,
  ) {
    this.meter = onBusy ? new SaturationMeter(onBusy) : null;
  }

  submit(item: I): Promise<O> {
    this.meter?.arrived(this.queue.length + this.writing);
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far is written. */
  drain(): Promise<void> {
    if (this.running === 0 && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.concurrency) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.running >= this.concurrency) return;
    if (this.queue.length === 0) {
      if (this.running === 0) this.settleIdle();
      return;
    }
    this.running++;
    const group = this.queue.splice(0, MAX_GROUP);
    this.writing += group.length;
    try {
      const results = await this.write(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(results[i]));
    } catch (err) {
      // an answer for all (the store is full: 503) needs no one-by-one retry
      if (group.length === 1 || err instanceof HttpError) for (const w of group) w.reject(err);
      else {
        // one request's failure must not fail the others: write each on its own
        for (const w of group) {
          try {
            w.resolve((await this.write([w.item]))[0]);
          } catch (e) {
            w.reject(e);
          }
        }
      }
    } finally {
      this.writing -= group.length;
      this.running--;
      if (this.queue.length > 0) this.schedule();
      else if (this.running === 0 && !this.scheduled) this.settleIdle();
    }
  }

  private settleIdle(): void {
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }
}
