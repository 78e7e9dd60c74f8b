// What the SQLite ingest queue's threads say to each other (see ./index.ts).
import type { EventOutcome, EventRecord, IngestWrite, RejectRecord } from '../types.js';

/** One queued entry: an event to apply, or a refused event to keep. */
export type QueueEntry = { customerId: string; event: EventRecord } | { customerId: string; reject: RejectRecord };

export const queuePath = (dbPath: string) => `${dbPath}-queue`;

export interface ThreadData {
  /** the main database file */
  path: string;
  /** how far the queue is applied, as recorded in the main database */
  appliedSeq: number;
  /** events waiting beyond which groups are refused (503) */
  maxBacklog: number;
  /** the identity the main database gives its queue file */
  queueId: string;
  /** how long a statement waits for a lock another connection holds */
  busyTimeoutMs: number;
}

export type ToAppender = { type: 'append'; id: number; writes: readonly IngestWrite[] } | { type: 'applied'; seq: number } | { type: 'close' };
export type FromAppender =
  | { type: 'ready'; tail: number }
  | { type: 'warning'; message: string }
  | { type: 'ack'; id: number; outcomes: EventOutcome[][]; seq: number }
  | { type: 'ack'; id: number; error: string; code?: string; busy: boolean };

/** `busy`: requests queue for their answers; `urgent`: a reader waits for everything up to `seq`. */
export type ToApplier = { type: 'appended'; seq: number } | { type: 'busy' } | { type: 'urgent'; seq: number } | { type: 'close' };
export type FromApplier = { type: 'applied'; seq: number } | { type: 'failed'; message: string };
