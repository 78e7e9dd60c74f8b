// The projector: applies a batch of logged events to orders, order items, carts, the
// aggregates, buyer counts, contact profiles and the webhook outbox, set-based. Per customer
// it reads what the batch touches in a few statements, plays the events in log order in
// memory (batch.ts), then writes each table in one statement. Both engines use it: the
// SQLite queue's apply thread and PostgreSQL's projection workers (docs/collector.md, "Ingest").
//
// Each customer's events are projected by one projector at a time (the SQLite apply thread
// is alone; PostgreSQL claims a customer), so what it read stays true until it commits.
import type { Database, Sql } from '../database.js';
import { WriteEffects } from '../effects.js';
import type { EventRecord } from '../types.js';
import { BatchState } from './batch.js';

export interface ProjectOptions {
  /**
   * Record the event IDs in seen_events: on SQLite the queue told duplicates apart from its own
   * keys and the tables; on PostgreSQL the log's append already inserted them.
   */
  recordSeen: boolean;
}

/** An event of the log and its customer. */
export interface Projected {
  customerId: string;
  event: EventRecord;
}

function byCustomerOf(events: readonly Projected[]): Map<string, EventRecord[]> {
  const byCustomer = new Map<string, EventRecord[]>();
  for (const { customerId, event } of events) {
    let list = byCustomer.get(customerId);
    if (!list) byCustomer.set(customerId, (list = []));
    list.push(event);
  }
  return byCustomer;
}

export class Projector {
  constructor(private readonly db: Pick<Database, 'dialect'>) {}

  /**
   * Applies `events` (in log order, any customers) inside the caller's transaction. Reads what
   * `readFor` (holding `events`) touches: a retry without some events reads what the first
   * attempt read, so its reads can be replayed (../log/isolate.ts).
   */
  async apply(tx: Sql, events: readonly Projected[], options: ProjectOptions, readFor: readonly Projected[] = events): Promise<void> {
    const byCustomer = byCustomerOf(events);
    const toRead = readFor === events ? byCustomer : byCustomerOf(readFor);
    const fx = new WriteEffects();
    // customers in a fixed order: two transactions never wait on each other's rows in a cycle;
    // a customer read for but left without events still reads (the same reads as the attempt's)
    for (const customerId of [...toRead.keys()].sort()) {
      const state = new BatchState(tx, this.db.dialect, customerId, fx, byCustomer.get(customerId) ?? []);
      await state.load(toRead.get(customerId));
      await state.play();
      await state.write(options.recordSeen);
    }
    await fx.flush(tx, this.db.dialect);
  }
}
