// Answering comes first (docs/collector.md, "Ingest: log, then project"): while the
// collector's requests queue for their answers (ingest/saturation.ts says so, at most once
// per 100 ms), the thread that applies accepted events to the tables (SQLite's apply thread,
// PostgreSQL's projection worker) leaves young entries where they are, durable, and applies
// the backlog once the burst has passed. Readers that wait for those entries are never held
// back: each thread skips the deferral for them.

/** How long after the last word of pressure ingest still counts as pressed. */
export const PRESSURE_MS = 250;
/** Entries at least this old are applied, pressure or not: the tables lag a burst by no more. */
export const MAX_DEFER_MS = 10_000;

export class Pressure {
  private heardAt = -Infinity;

  /** The collector's requests queue for their answers. */
  heard(now = Date.now()): void {
    this.heardAt = now;
  }

  /** Whether ingest is pressed: the word was heard within PRESSURE_MS. */
  pressed(now = Date.now()): boolean {
    return now - this.heardAt < PRESSURE_MS;
  }

  /** Whether an entry received at `since` may wait: ingest is pressed, and the entry is younger than MAX_DEFER_MS. */
  defers(since: number, now = Date.now()): boolean {
    return this.pressed(now) && now - since < MAX_DEFER_MS;
  }
}
