// Whether ingest is busy, judged per window of WINDOW_MS: most requests of the window arrived
// to find at least BUSY requests already waiting for their answer. By Little's law that many
// waiting means a high rate or slow answers; either way answering has a queue, and work that
// can wait (projection) should. Not "every append slot busy": group commit takes everything
// queued at once, so a collector short of CPU keeps few groups in flight, each a large one.

const WINDOW_MS = 100;
/** requests waiting for their answer */
const BUSY = 10;
/** fewer requests than this in a window is no load to speak of */
const MIN_REQUESTS = 8;

export class SaturationMeter {
  private windowStart = 0;
  private requests = 0;
  private busy = 0;

  /** `onBusy` hears, once per busy window, that requests queue for their answers. */
  constructor(private readonly onBusy: () => void) {}

  /** A request arrived; `waiting`: requests not yet answered, before it. */
  arrived(waiting: number, now = performance.now()): void {
    if (now - this.windowStart >= WINDOW_MS) {
      if (this.requests >= MIN_REQUESTS && this.busy * 2 >= this.requests) this.onBusy();
      this.windowStart = now;
      this.requests = 0;
      this.busy = 0;
    }
    this.requests++;
    if (waiting >= BUSY) this.busy++;
  }
}
