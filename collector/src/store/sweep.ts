// The abandoned-cart sweep: open carts (with items) not closed by an order within the
// timeout become abandoned. Claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so any number
// of collectors sweep together and each cart is abandoned exactly once. The aggregates, the
// contact's profile and the `cart.abandoned` webhook deliveries change in the same transaction.
import { cartAbandoned } from '../webhooks/payloads.js';
import { parseCartItems } from './cart-items.js';
import { big, bigOrNull, num, strOrNull, type Database } from './database.js';
import { WriteEffects } from './effects.js';
import { directoryEmail } from './profiles.js';

interface DueRow {
  cart_id: string;
  time: unknown;
  campaign_id: string;
  contact_uid: string;
  contact_key: string;
  email: string | null;
  currency: string;
  item_count: unknown;
  total: unknown;
  tax: unknown;
  shipping: unknown;
  city: string | null;
  country: string | null;
  items: string;
  abandoned_at: unknown;
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
        `SELECT cart_id, time, campaign_id, contact_uid, contact_key, email, currency, item_count, total, tax, shipping, city, country, items, abandoned_at
         FROM carts WHERE customer_id = $1 AND state = 'open' AND received_at <= $2
         ORDER BY received_at LIMIT $3 ${this.db.dialect.skipLocked}`,
        [customerId, cutoff, limit],
      );
      const fx = new WriteEffects();
      const notify = due.length > 0 && (await fx.outbox.wants(tx, customerId, 'cart.abandoned'));
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
        fx.stats.cart(customerId, before, { ...before, state: 'abandoned' });
        // a cart re-sent after an earlier abandonment is abandoned again, but counted once
        fx.profiles.abandoned(customerId, row.contact_key, now, row.abandoned_at === null);
        if (notify) {
          const email = row.email ?? (row.contact_uid ? await directoryEmail(tx, customerId, row.contact_uid) : null);
          const data = cartAbandoned({
            cartId: row.cart_id,
            time: before.time,
            abandonedAt: now,
            total: before.total,
            currency: row.currency,
            tax: bigOrNull(row.tax),
            shipping: bigOrNull(row.shipping),
            city: strOrNull(row.city),
            country: strOrNull(row.country),
            email,
            contactUid: row.contact_uid,
            campaignId: row.campaign_id,
            items: parseCartItems(row.items),
          });
          await fx.outbox.enqueue(tx, customerId, 'cart.abandoned', row.contact_key, data, now);
        }
      }
      await fx.flush(tx, this.db.dialect);
      return { claimed: due.length, abandoned: marked };
    });
  }
}
