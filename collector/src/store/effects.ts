// What one write transaction changes besides its own rows: the aggregates, the contact
// profiles and the webhook outbox. Made inside the transaction's callback (a retried
// transaction starts over with a fresh one) and flushed just before it commits.
import type { Dialect, Sql } from './database.js';
import { OutboxWriter } from './outbox.js';
import { ProfileAccumulator } from './profiles.js';
import { StatsAccumulator } from './stats.js';

export class WriteEffects {
  readonly stats = new StatsAccumulator();
  readonly profiles = new ProfileAccumulator();
  readonly outbox = new OutboxWriter();

  async flush(tx: Sql, dialect: Dialect): Promise<void> {
    await this.stats.flush(tx, dialect);
    await this.profiles.flush(tx, dialect);
    await this.outbox.flush(tx, dialect);
  }
}
