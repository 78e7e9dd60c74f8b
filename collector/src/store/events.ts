// The ingest write path: de-duplication by event ID, one order per (customer, orderId),
// carts (latest contents win), orders closing carts, the aggregates, the contact profiles
// and the webhook outbox, all in the one transaction that also holds every other request of
// the same group.
import { orderPlaced } from '../webhooks/payloads.js';
import { cartItemsJson } from './cart-items.js';
import { big, num, type Database, type Sql } from './database.js';
import { WriteEffects } from './effects.js';
import { directoryEmail, resolveContactKey } from './profiles.js';
import { insertRejected } from './rejected.js';
import type { CartFacts, StatsAccumulator } from './stats.js';
import type { CartRecord, CartState, EventOutcome, EventRecord, IngestWrite, OrderRecord, StoredItem } from './types.js';
import { dayOf } from './types.js';

interface CartRow {
  cart_id: string;
  state: string;
  time: unknown;
  campaign_id: string;
  currency: string;
  item_count: unknown;
  total: unknown;
  abandoned_at: unknown;
}

const CART_COLUMNS = 'cart_id, state, time, campaign_id, currency, item_count, total, abandoned_at';
const OPEN_STATES = "('empty', 'open', 'abandoned')";

function facts(row: CartRow): CartFacts {
  return {
    campaignId: row.campaign_id,
    time: num(row.time),
    currency: row.currency,
    state: row.state as CartState,
    itemCount: num(row.item_count),
    total: big(row.total),
  };
}

/** Items are written in chunks of fixed sizes so each statement text is prepared once. */
const ITEM_CHUNKS = [32, 8, 4, 2, 1];
const ITEM_SQL = new Map<number, string>();
function itemSql(rows: number): string {
  let sql = ITEM_SQL.get(rows);
  if (!sql) {
    const values: string[] = [];
    for (let r = 0; r < rows; r++) {
      const b = r * 10;
      values.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}, $${b + 10})`);
    }
    sql = `INSERT INTO order_items (customer_id, order_id, line, time, campaign_id, sku, name, category, price, quantity) VALUES ${values.join(', ')}`;
    ITEM_SQL.set(rows, sql);
  }
  return sql;
}

/** Writes the requests of one group in one transaction (in-process, or on the SQLite write thread). */
export interface GroupWriter {
  writeGroup(writes: readonly IngestWrite[]): Promise<EventOutcome[][]>;
  close?(): Promise<void>;
  /** Null when every answered event is in the tables; else resolves once it is. */
  settled?(): Promise<void> | null;
  /** how many groups may be written at once */
  readonly concurrency: number;
}

export class EventWriter implements GroupWriter {
  /**
   * One group at a time: groups written at once on PostgreSQL wait on each other's aggregate
   * rows (and retry deadlocks); measured slower than one after the other (BENCHMARKS.md).
   */
  readonly concurrency = 1;

  constructor(private readonly db: Database) {}

  /** Writes the requests of one group in one transaction; answers each event's outcome, per request. */
  writeGroup(writes: readonly IngestWrite[]): Promise<EventOutcome[][]> {
    return this.db.transaction((tx) => this.writeIn(tx, writes));
  }

  /** The same, inside a transaction the caller holds (the SQLite ingest queue's). */
  async writeIn(tx: Sql, writes: readonly IngestWrite[]): Promise<EventOutcome[][]> {
    const fx = new WriteEffects();
    const out: EventOutcome[][] = [];
    for (const w of writes) {
      const outcomes: EventOutcome[] = [];
      for (const ev of w.events) outcomes.push(await this.apply(tx, w.customerId, ev, fx));
      for (const r of w.rejects) await insertRejected(tx, r);
      out.push(outcomes);
    }
    await fx.flush(tx, this.db.dialect);
    return out;
  }

  private async apply(tx: Sql, customerId: string, ev: EventRecord, fx: WriteEffects): Promise<EventOutcome> {
    // server-side purchases carry no event ID: the order ID alone de-duplicates them
    if (ev.eventId !== '') {
      const fresh = await tx.run(
        'INSERT INTO seen_events (customer_id, event_id, received_at) VALUES ($1, $2, $3) ON CONFLICT (customer_id, event_id) DO NOTHING',
        [customerId, ev.eventId, ev.receivedAt],
      );
      if (fresh === 0) return 'duplicate';
    }
    return ev.type === 'order' ? this.order(tx, customerId, ev, fx) : this.cart(tx, customerId, ev, fx);
  }

  private async order(tx: Sql, customerId: string, o: OrderRecord, fx: WriteEffects): Promise<EventOutcome> {
    const contactKey = await resolveContactKey(tx, customerId, o.contactUid, o.email);
    const inserted = await tx.run(
      `INSERT INTO orders (customer_id, order_id, time, received_at, campaign_id, contact_uid, email, buyer, total, currency,
         tax, shipping, city, country, item_count, source, visitor, session_id, cart_id, event_id, contact_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
       ON CONFLICT (customer_id, order_id) DO NOTHING`,
      [
        customerId,
        o.orderId,
        o.time,
        o.receivedAt,
        o.campaignId,
        o.contactUid,
        o.email,
        o.buyer,
        o.total,
        o.currency,
        o.tax,
        o.shipping,
        o.city,
        o.country,
        o.itemCount,
        o.source,
        o.visitor,
        o.sessionId,
        o.cartId,
        o.eventId,
        contactKey,
      ],
    );
    if (inserted === 0) {
      // same order ID under another event ID, or from another source: counted once
      await this.adoptCheckout(tx, customerId, o, fx.stats);
      return 'duplicate';
    }
    await this.items(tx, customerId, o);
    const stats = fx.stats;
    stats.order(customerId, o.campaignId, o.time, o.currency, o.total, o.items.length);

    await tx.run(
      'INSERT INTO buyer_days (customer_id, campaign_id, currency, day, buyer) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (customer_id, campaign_id, currency, day, buyer) DO NOTHING',
      [customerId, o.campaignId, o.currency, dayOf(o.time), o.buyer],
    );
    const newBuyer = await tx.run(
      'INSERT INTO campaign_buyers (customer_id, campaign_id, currency, buyer) VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id, campaign_id, currency, buyer) DO NOTHING',
      [customerId, o.campaignId, o.currency, o.buyer],
    );
    stats.buyer(customerId, o.campaignId, o.currency, o.time, newBuyer > 0);

    fx.profiles.order(customerId, contactKey, { ...o, now: o.receivedAt });
    if (await fx.outbox.wants(tx, customerId, 'order.placed')) {
      const email = o.email ?? (o.contactUid ? await directoryEmail(tx, customerId, o.contactUid) : null);
      await fx.outbox.enqueue(tx, customerId, 'order.placed', contactKey, orderPlaced(o, email), o.receivedAt);
    }
    await this.closeCarts(tx, customerId, o, stats);
    return 'accepted';
  }

  /** Closes the carts an order completes: the one it names, else the visitor's earlier ones. */
  private async closeCarts(tx: Sql, customerId: string, o: OrderRecord, stats: StatsAccumulator): Promise<void> {
    if (!o.cartId && !o.visitor) return; // a server-side purchase knows no cart
    const carts = o.cartId
      ? await tx.all<CartRow>(
          `SELECT ${CART_COLUMNS} FROM carts WHERE customer_id = $1 AND cart_id = $2 AND state IN ${OPEN_STATES} ${this.db.dialect.forUpdate}`,
          [customerId, o.cartId],
        )
      : await tx.all<CartRow>(
          `SELECT ${CART_COLUMNS} FROM carts ${this.db.dialect.indexedBy('carts_visitor')}
           WHERE customer_id = $1 AND visitor = $2 AND time <= $3 AND state IN ${OPEN_STATES}
           ORDER BY cart_id ${this.db.dialect.forUpdate}`,
          [customerId, o.visitor, o.time],
        );
    for (const row of carts) {
      const before = facts(row);
      // a cart abandoned once and re-sent since (the shopper came back) still counts as recovered
      const state: CartState = before.state === 'abandoned' || row.abandoned_at !== null ? 'recovered' : 'ordered';
      await tx.run('UPDATE carts SET state = $3, closed_at = $4, order_id = $5 WHERE customer_id = $1 AND cart_id = $2', [
        customerId,
        row.cart_id,
        state,
        o.receivedAt,
        o.orderId,
      ]);
      stats.cart(customerId, before, { ...before, state });
    }
  }

  /**
   * The browser's copy of an order the shop's backend reported first: the order stays as it
   * was stored (counted once), but the browser knows its visitor and cart, so those are filled
   * in and the carts it completes are closed.
   */
  private async adoptCheckout(tx: Sql, customerId: string, o: OrderRecord, stats: StatsAccumulator): Promise<void> {
    if (o.source === 'api' || !o.visitor) return;
    const adopted = await tx.run(
      "UPDATE orders SET visitor = $3, session_id = $4, cart_id = $5 WHERE customer_id = $1 AND order_id = $2 AND source = 'api' AND visitor = ''",
      [customerId, o.orderId, o.visitor, o.sessionId, o.cartId],
    );
    if (adopted > 0) await this.closeCarts(tx, customerId, o, stats);
  }

  private async items(tx: Sql, customerId: string, o: OrderRecord): Promise<void> {
    let line = 0;
    const items = o.items;
    while (line < items.length) {
      const size = ITEM_CHUNKS.find((c) => c <= items.length - line)!;
      const params: (string | number | bigint | null)[] = [];
      for (let i = 0; i < size; i++, line++) {
        const it: StoredItem = items[line];
        params.push(customerId, o.orderId, line + 1, o.time, o.campaignId, it.sku, it.name, it.category, it.price, it.quantity);
      }
      await tx.run(itemSql(size), params);
    }
  }

  private async cart(tx: Sql, customerId: string, c: CartRecord, fx: WriteEffects, retried = false): Promise<EventOutcome> {
    const existing = await tx.get<CartRow>(
      `SELECT ${CART_COLUMNS} FROM carts WHERE customer_id = $1 AND cart_id = $2 ${this.db.dialect.forUpdate}`,
      [customerId, c.cartId],
    );
    const before = existing ? facts(existing) : undefined;
    if (existing && before && (before.state === 'ordered' || before.state === 'recovered')) {
      // a copy from before its order changes nothing; a later checkout under the same cart ID
      // (legacy pages pair by visitor and session) is a new cart: the closed one is kept as
      // `<cartId>~<orderId>` and the new one starts
      const order = await tx.get<{ time: unknown; order_id: string }>(
        'SELECT o.time, o.order_id FROM carts k JOIN orders o ON o.customer_id = k.customer_id AND o.order_id = k.order_id WHERE k.customer_id = $1 AND k.cart_id = $2',
        [customerId, c.cartId],
      );
      if (!order || c.time <= num(order.time)) return 'accepted';
      await tx.run('UPDATE carts SET cart_id = $3 WHERE customer_id = $1 AND cart_id = $2', [customerId, c.cartId, `${c.cartId}~${order.order_id}`]);
      return this.cart(tx, customerId, c, fx, retried);
    }
    // an older copy of a cart never overwrites a newer one
    if (before && c.time < before.time) return 'accepted';

    let state: CartState = c.itemCount > 0 ? 'open' : 'empty';
    let orderId: string | null = null;
    if (!existing) {
      orderId = await this.orderThatClosed(tx, customerId, c);
      if (orderId) state = 'ordered';
    }
    const after: CartFacts = { campaignId: c.campaignId, time: c.time, currency: c.currency, state, itemCount: c.itemCount, total: c.total };
    const contactKey = await resolveContactKey(tx, customerId, c.contactUid, c.email);
    const values = [
      customerId,
      c.cartId,
      state,
      c.time,
      c.receivedAt,
      c.campaignId,
      c.contactUid,
      c.email,
      c.total,
      c.currency,
      c.tax,
      c.shipping,
      c.city,
      c.country,
      c.itemCount,
      cartItemsJson(c.items),
      c.visitor,
      c.sessionId,
      c.source,
      c.eventId,
      orderId ? c.receivedAt : null,
      orderId,
      contactKey,
    ];
    if (existing) {
      await tx.run(
        `UPDATE carts SET state = $3, time = $4, received_at = $5, campaign_id = $6, contact_uid = $7, email = $8, total = $9,
           currency = $10, tax = $11, shipping = $12, city = $13, country = $14, item_count = $15, items = $16, visitor = $17,
           session_id = $18, source = $19, event_id = $20, closed_at = $21, order_id = $22, contact_key = $23
         WHERE customer_id = $1 AND cart_id = $2`,
        values,
      );
    } else {
      const inserted = await tx.run(
        `INSERT INTO carts (customer_id, cart_id, state, time, received_at, campaign_id, contact_uid, email, total, currency, tax,
           shipping, city, country, item_count, items, visitor, session_id, source, event_id, closed_at, order_id, contact_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
         ON CONFLICT (customer_id, cart_id) DO NOTHING`,
        values,
      );
      // another collector inserted the same cart a moment ago: apply this one as an update
      if (inserted === 0 && !retried) return this.cart(tx, customerId, c, fx, true);
      if (inserted === 0) throw new Error(`cart ${c.cartId} could not be written`);
    }
    fx.stats.cart(customerId, before, after);
    fx.profiles.cart(customerId, contactKey, { ...c, now: c.receivedAt });
    return 'accepted';
  }

  /** An order that arrived before its cart (retries, slow networks): a later order naming the cart, else the visitor's later order naming none. */
  private async orderThatClosed(tx: Sql, customerId: string, c: CartRecord): Promise<string | null> {
    const byCart = await tx.get<{ order_id: string }>(
      `SELECT order_id FROM orders ${this.db.dialect.indexedBy('orders_cart')}
       WHERE customer_id = $1 AND cart_id = $2 AND cart_id <> '' AND time >= $3 ORDER BY time LIMIT 1`,
      [customerId, c.cartId, c.time],
    );
    if (byCart) return byCart.order_id;
    const byVisitor = await tx.get<{ order_id: string }>(
      `SELECT order_id FROM orders ${this.db.dialect.indexedBy('orders_visitor')}
       WHERE customer_id = $1 AND visitor = $2 AND time >= $3 AND cart_id = '' ORDER BY time LIMIT 1`,
      [customerId, c.visitor, c.time],
    );
    return byVisitor?.order_id ?? null;
  }
}
