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

export class Projector {
  constructor(private readonly db: Pick<Database, 'dialect'>) {}

  /** Applies `events` (in log order, any customers) inside the caller's transaction. */
  async apply(tx: Sql, events: readonly { customerId: string; event: EventRecord }[], options: ProjectOptions): Promise<void> {
    const byCustomer = new Map<string, EventRecord[]>();
    for (const { customerId, event } of events) {
      let list = byCustomer.get(customerId);
      if (!list) byCustomer.set(customerId, (list = []));
      list.push(event);
    }
    const fx = new WriteEffects();
    // customers in a fixed order: two transactions never wait on each other's rows in a cycle
    for (const customerId of [...byCustomer.keys()].sort()) {
      const state = new BatchState(tx, this.db.dialect, customerId, fx, byCustomer.get(customerId)!);
      await state.load();
      await state.play();
      await state.write(options.recordSeen);
    }
    await fx.flush(tx, this.db.dialect);
  }
}
