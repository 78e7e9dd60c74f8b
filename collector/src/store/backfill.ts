// Schema version 2 on a database that already has orders and carts: gives them their contact
// key (the identity rule of profiles.ts, in SQL) and builds the profiles from them with the
// same accumulator the write path uses. Click times were not kept before, so a campaign's
// time is its event's time here.
import { big, num, strOrNull, type Dialect, type Sql } from './database.js';
import { ProfileAccumulator } from './profiles.js';

interface Row {
  contact_key: string;
  email: unknown;
  campaign_id: string;
  time: unknown;
  received_at: unknown;
}

export async function backfillContacts(tx: Sql, dialect: Dialect): Promise<void> {
  for (const table of ['orders', 'carts']) {
    await tx.run(
      `UPDATE ${table} SET contact_key = CASE
         WHEN contact_uid <> '' THEN 'u:' || contact_uid
         WHEN email IS NULL THEN ''
         ELSE COALESCE(
           (SELECT 'u:' || d.contact_uid FROM contacts d WHERE d.customer_id = ${table}.customer_id AND ${dialect.lowerAscii('d.email')} = ${dialect.lowerAscii(`${table}.email`)}
            ORDER BY d.updated_at DESC, d.contact_uid LIMIT 1),
           'e:' || ${dialect.lowerAscii('email')})
       END`,
    );
  }
  for (const { customer_id: customerId } of await tx.all<{ customer_id: string }>('SELECT customer_id FROM customers ORDER BY customer_id')) {
    const profiles = new ProfileAccumulator();
    const facts = (r: Row) => ({
      email: strOrNull(r.email),
      campaignId: r.campaign_id,
      clickAt: r.campaign_id ? num(r.time) : null,
    });
    const orders = await tx.all<Row & { total: unknown; currency: string }>(
      `SELECT contact_key, email, campaign_id, time, received_at, total, currency FROM orders
       WHERE customer_id = $1 AND contact_key <> '' ORDER BY received_at, order_id`,
      [customerId],
    );
    for (const o of orders) profiles.order(customerId, o.contact_key, { ...facts(o), time: num(o.time), total: big(o.total), currency: o.currency }, num(o.received_at));
    const carts = await tx.all<Row & { abandoned_at: unknown }>(
      `SELECT contact_key, email, campaign_id, time, received_at, abandoned_at FROM carts
       WHERE customer_id = $1 AND contact_key <> '' ORDER BY received_at, cart_id`,
      [customerId],
    );
    for (const c of carts) {
      profiles.cart(customerId, c.contact_key, facts(c), num(c.received_at));
      if (c.abandoned_at !== null) profiles.abandoned(customerId, c.contact_key, num(c.abandoned_at), true);
    }
    await profiles.flush(tx, dialect, true);
  }
}
