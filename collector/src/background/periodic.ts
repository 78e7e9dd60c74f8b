// A pass of background work run on an interval inside the collector, and on demand (tests
// call `runOnce` with an injected clock, no sleeps). One pass at a time per process; the
// store's row locks keep several collectors from doing the same work twice.

export interface Periodic<T> {
  /** One full pass, asked for (`pass` hears `asked`); a call during a pass waits for it, then runs its own. */
  runOnce(): Promise<T>;
  start(): void;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

/** `pass` hears whether it was asked for (runOnce) or is the timer's. */
export function periodic<T>(pass: (asked: boolean) => Promise<T>, intervalMs: number, onError?: (err: unknown) => void): Periodic<T> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<T> | undefined;

  function run(asked: boolean): Promise<T> {
    const next = (running ?? Promise.resolve()).catch(() => undefined).then(() => pass(asked));
    running = next;
    void next
      .finally(() => {
        if (running === next) running = undefined;
      })
      .catch(() => undefined);
    return next;
  }

  return {
    runOnce: () => run(true),
    start() {
      if (intervalMs <= 0 || timer) return;
      timer = setInterval(() => {
        if (running) return; // the previous pass is still going
        run(false).catch((err) => onError?.(err));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
