// How ingest hands groups of events to the store: appended durably and answered, applied to
// the tables by the projector (projector.ts) right after. Two forms: the SQLite queue file
// with its apply thread (../queue/), PostgreSQL's ingest_log with projection workers
// (postgres-log.ts); and, for a database with no file (`:memory:`), both in one transaction.
import type { Database } from '../database.js';
import { Projector } from '../projection/projector.js';
import { insertRejected } from '../rejected.js';
import type { EventOutcome, IngestWrite } from '../types.js';

export interface GroupWriter {
  /** Appends the requests of one group durably; answers each event's outcome, per request. */
  writeGroup(writes: readonly IngestWrite[]): Promise<EventOutcome[][]>;
  close?(): Promise<void>;
  /** Null when every answered event is in the tables; else resolves once it is. */
  settled?(): Promise<void> | null;
  /** When the oldest event of the customer not yet in the tables was received; null when none. */
  pendingSince?(customerId: string): Promise<number | null>;
  /** how many groups may be appended at once */
  readonly concurrency: number;
  /** Requests queue for their answers: ingest is busy, so projection may wait. */
  busy?(): void;
}

/** `:memory:` SQLite: duplicates told and events applied in the group's own transaction. */
export class InlineWriter implements GroupWriter {
  readonly concurrency = 1;
  private readonly projector: Projector;

  constructor(private readonly db: Database) {
    this.projector = new Projector(db);
  }

  writeGroup(writes: readonly IngestWrite[]): Promise<EventOutcome[][]> {
    return this.db.immediate.transaction(async (tx) => {
      const out: EventOutcome[][] = [];
      for (const w of writes) {
        const outcomes: EventOutcome[] = [];
        for (const ev of w.events) {
          const fresh =
            ev.eventId === '' ||
            (await tx.run('INSERT INTO seen_events (customer_id, event_id, received_at) VALUES ($1, $2, $3) ON CONFLICT (customer_id, event_id) DO NOTHING', [
              w.customerId,
              ev.eventId,
              ev.receivedAt,
            ])) > 0;
          const known = fresh && ev.type === 'order' && (await tx.get('SELECT 1 FROM orders WHERE customer_id = $1 AND order_id = $2', [w.customerId, ev.orderId]));
          if (fresh) await this.projector.apply(tx, [{ customerId: w.customerId, event: ev }], { recordSeen: false });
          outcomes.push(fresh && !known ? 'accepted' : 'duplicate');
        }
        for (const r of w.rejects) await insertRejected(tx, r);
        out.push(outcomes);
      }
      return out;
    });
  }
}
