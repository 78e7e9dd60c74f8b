// Runs the abandoned-cart sweep inside the collector: on an interval, and on demand (tests
// call `runOnce` with an injected clock, no sleeps). Safe with several collectors: the
// store claims carts with row locks.
import { periodic, type Periodic } from '../background/periodic.js';
import type { Store } from '../store/store.js';

export interface SweepReport {
  /** carts marked abandoned by this run */
  abandoned: number;
}

/** `runOnce()`: one full pass over every customer, as of `clock()`. */
export type Sweeper = Periodic<SweepReport>;

declare module 'fastify' {
  interface FastifyInstance {
    sweeper: Sweeper;
  }
}

export interface SweeperOptions {
  store: Store;
  clock: () => number;
  /** the collector's timeout; a customer's own setting wins */
  abandonAfterMinutes: number;
  /** 0 disables the timer */
  intervalMs: number;
  onError?: (err: unknown) => void;
}

const BATCH = 500;

export function createSweeper(o: SweeperOptions): Sweeper {
  async function pass(): Promise<SweepReport> {
    // timer or asked for, as of everything this collector answered: the sweep writes carts, and
    // on SQLite a write meeting the apply thread's open transaction would hold the request
    // thread until that lowest-priority thread commits (docs/collector.md, "Ingest: log, then project")
    await o.store.events.settled?.();
    let abandoned = 0;
    for (const customer of await o.store.customers.list()) {
      const afterMs = customer.abandonAfterSeconds !== null ? customer.abandonAfterSeconds * 1000 : o.abandonAfterMinutes * 60_000;
      // an order that would close a cart may still be on its way into the tables (answered by
      // another collector): carts are judged as of the oldest event not yet applied
      const pending = await o.store.events.pendingSince?.(customer.customerId);
      const now = Math.min(o.clock(), pending ?? Number.POSITIVE_INFINITY);
      for (;;) {
        const r = await o.store.sweep.abandonDue(customer.customerId, now - afterMs, now, BATCH);
        abandoned += r.abandoned;
        if (r.claimed < BATCH) break;
      }
    }
    return { abandoned };
  }
  return periodic(pass, o.intervalMs, o.onError);
}
