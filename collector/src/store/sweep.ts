// The abandoned-cart sweep: open carts (with items) not closed by an order within the
// timeout become abandoned. Claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so any number
// of collectors sweep together and each cart is abandoned exactly once.
import { big, num, type Database } from './database.js';
import { StatsAccumulator } from './stats.js';

interface DueRow {
  cart_id: string;
  time: unknown;
  campaign_id: string;
  currency: string;
  item_count: unknown;
  total: unknown;
}

export class SweepRepository {
  constructor(private readonly db: Database) {}

  /**
   * Marks up to `limit` of the customer's open carts last updated at or before `cutoff` as
   * abandoned at `now`. Call again while `claimed` equals `limit`.
   */
  abandonDue(customerId: string, cutoff: number, now: number, limit = 500): Promise<{ claimed: number; abandoned: number }> {
    return this.db.transaction(async (tx) => {
      const due = await tx.all<DueRow>(
        `SELECT cart_id, time, campaign_id, currency, item_count, total FROM carts
         WHERE customer_id = $1 AND state = 'open' AND received_at <= $2
         ORDER BY received_at LIMIT $3 ${this.db.dialect.skipLocked}`,
        [customerId, cutoff, limit],
      );
      const stats = new StatsAccumulator();
      let marked = 0;
      for (const row of due) {
        const changed = await tx.run(
          "UPDATE carts SET state = 'abandoned', abandoned_at = $3 WHERE customer_id = $1 AND cart_id = $2 AND state = 'open'",
          [customerId, row.cart_id, now],
        );
        if (changed === 0) continue;
        marked++;
        const before = {
          campaignId: row.campaign_id,
          time: num(row.time),
          currency: row.currency,
          state: 'open' as const,
          itemCount: num(row.item_count),
          total: big(row.total),
        };
        stats.cart(customerId, before, { ...before, state: 'abandoned' });
      }
      await stats.flush(tx, this.db.dialect);
      return { claimed: due.length, abandoned: marked };
    });
  }
}
