// The abandoned-cart sweep: open carts (with items) not closed by an order within the
// timeout become abandoned. Claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so any number
// of collectors sweep together and each cart is abandoned exactly once. The aggregates, the
// contact's profile and the `cart.abandoned` webhook deliveries change in the same transaction.
import { cartAbandoned, type EmailSource } from './outbox-payloads.js';
import { parseCartItems } from './cart-items.js';
import { big, bigOrNull, num, strOrNull, type Database, type Sql } from './database.js';
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
  /** the contact key an earlier abandonment of the cart was counted for */
  abandoned_for: string | null;
}

/**
 * The email a `cart.abandoned` delivery carries, and where it came from: the cart's own (the
 * browser's), else the contact's latest order from the purchases API, else the directory's.
 */
async function cartEmail(tx: Sql, customerId: string, row: DueRow): Promise<{ email: string | null; emailSource: EmailSource | null }> {
  if (row.email) return { email: row.email, emailSource: 'browser' };
  if (row.contact_key) {
    const api = await tx.get<{ email: string }>(
      `SELECT email FROM orders WHERE customer_id = $1 AND contact_key <> '' AND contact_key = $2 AND source = 'api' AND email IS NOT NULL
       ORDER BY time DESC, order_id DESC LIMIT 1`,
      [customerId, row.contact_key],
    );
    if (api) return { email: api.email, emailSource: 'api' };
  }
  const listed = row.contact_uid ? await directoryEmail(tx, customerId, row.contact_uid) : null;
  return { email: listed, emailSource: listed === null ? null : 'directory' };
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
        `SELECT cart_id, time, campaign_id, contact_uid, contact_key, email, currency, item_count, total, tax, shipping, city, country, items, abandoned_for
         FROM carts WHERE customer_id = $1 AND state = 'open' AND received_at <= $2
         ORDER BY received_at LIMIT $3 ${this.db.dialect.skipLocked}`,
        [customerId, cutoff, limit],
      );
      const fx = new WriteEffects();
      if (due.length === 0) return { claimed: 0, abandoned: 0 };
      const notify = await fx.outbox.wants(tx, customerId, 'cart.abandoned');
      // one statement for the batch (not one per cart: a round trip each on PostgreSQL);
      // RETURNING says which were still open. The list is padded to a power of two (repeating
      // the last ID changes nothing), so a handful of statement texts are prepared, not one per size.
      const slots = 2 ** Math.ceil(Math.log2(due.length));
      const ids = Array.from({ length: slots }, (_, i) => due[Math.min(i, due.length - 1)].cart_id);
      const changed = await tx.all<{ cart_id: string }>(
        `UPDATE carts SET state = 'abandoned', abandoned_at = $2,
           abandoned_for = CASE WHEN contact_key <> '' THEN contact_key ELSE abandoned_for END WHERE customer_id = $1 AND cart_id IN (${ids.map((_, i) => `$${i + 3}`).join(', ')})
         AND state = 'open' RETURNING cart_id`,
        [customerId, now, ...ids],
      );
      const abandoned = new Set(changed.map((r) => r.cart_id));
      let marked = 0;
      for (const row of due) {
        if (!abandoned.has(row.cart_id)) continue;
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
        // a cart re-sent after an earlier abandonment is abandoned again, but counted once for its contact
        fx.profiles.abandoned(customerId, row.contact_key, now, row.abandoned_for !== row.contact_key);
        if (notify) {
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
            ...(await cartEmail(tx, customerId, row)),
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
