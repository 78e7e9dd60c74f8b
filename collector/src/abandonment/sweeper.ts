// Runs the abandoned-cart sweep inside the collector: on an interval, and on demand (tests
// call `runOnce` with an injected clock, no sleeps). Safe with several collectors: the
// store claims carts with row locks.
import type { Store } from '../store/store.js';

export interface SweepReport {
  /** carts marked abandoned by this run */
  abandoned: number;
}

export interface Sweeper {
  /** One full pass over every customer, as of `clock()`. */
  runOnce(): Promise<SweepReport>;
  start(): void;
  stop(): Promise<void>;
}

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
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SweepReport> | undefined;

  async function pass(): Promise<SweepReport> {
    let abandoned = 0;
    for (const customer of await o.store.customers.list()) {
      const afterMs = customer.abandonAfterSeconds !== null ? customer.abandonAfterSeconds * 1000 : o.abandonAfterMinutes * 60_000;
      const now = o.clock();
      for (;;) {
        const r = await o.store.sweep.abandonDue(customer.customerId, now - afterMs, now, BATCH);
        abandoned += r.abandoned;
        if (r.claimed < BATCH) break;
      }
    }
    return { abandoned };
  }

  function runOnce(): Promise<SweepReport> {
    // one pass at a time per process; a caller during a pass waits for it, then runs its own
    const next = (running ?? Promise.resolve({ abandoned: 0 })).catch(() => undefined).then(pass);
    running = next;
    void next.finally(() => {
      if (running === next) running = undefined;
    }).catch(() => undefined);
    return next;
  }

  return {
    runOnce,
    start() {
      if (o.intervalMs <= 0 || timer) return;
      timer = setInterval(() => {
        if (running) return; // the previous pass is still going
        runOnce().catch((err) => o.onError?.(err));
      }, o.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
