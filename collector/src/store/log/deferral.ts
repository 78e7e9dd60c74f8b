// Answering first, on both engines (docs/collector.md, "Ingest: log, then project"): while a
// collector's requests queue for their answers (ingest/saturation.ts), what projects the log
// leaves its young entries for later, and the CPU and the database go to answering.

/** Ingest counts as under pressure this long after the collector last said its requests queue. */
export const PRESSURE_MS = 250;

/**
 * Under pressure, entries younger than this wait; the backlog is projected when the burst
 * passes. Older ones are projected whatever the pressure, so a sustained overload slows the
 * answers rather than letting the data fall further behind. Reads that wait are never held back.
 */
export const MAX_DEFER_MS = 10_000;
