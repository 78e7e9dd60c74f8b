// The list reports (orders, abandoned carts, items): keyset-paged newest first, their rows,
// and their counts (daily_stats for whole days, the rows for partial ones).
import { big, bigOrNull, num, strOrNull } from '../database.js';
import { parseCartItems } from '../cart-items.js';
import type { Attribution, CartState, StoredItem } from '../types.js';
import { ReportQueries, Where, campaignTerms, dailyWhere, edgeWhere, numOrNull, orNull, splitRange, timeTerms, type R, type ReportFilter } from './query.js';

export interface OrderRow {
  time: number;
  orderId: string;
  email: string | null;
  campaignId: string | null;
  campaignName: string | null;
  contactUid: string | null;
  total: bigint;
  currency: string;
  tax: bigint | null;
  shipping: bigint | null;
  city: string | null;
  country: string | null;
  itemCount: number;
  source: string;
  /** how the order was attributed; null for direct traffic */
  attribution: Attribution | null;
  clickAt: number | null;
  refunded: bigint;
  cancelledAt: number | null;
}

/** What only an order has. */
type OrderOnly = 'orderId' | 'source' | 'attribution' | 'clickAt' | 'refunded' | 'cancelledAt';
/** What an order and a cart share. */
export type PurchaseRow = Omit<OrderRow, OrderOnly>;

export interface CartRow extends PurchaseRow {
  cartId: string;
  state: CartState;
  abandonedAt: number | null;
  orderId: string | null;
}

export interface ItemRow {
  time: number;
  sku: string;
  name: string | null;
  category: string | null;
  price: bigint;
  quantity: number;
  orderId: string;
  line: number;
  campaignId: string | null;
  campaignName: string | null;
}

export interface OrderKey {
  time: number;
  id: string;
}
export interface ItemKey extends OrderKey {
  line: number;
}

/** A range split into whole UTC days (daily_stats) and the partial days at its ends (raw rows). */
const ORDER_SELECT = `SELECT o.time, o.order_id, COALESCE(o.email, ct.email) AS email, o.campaign_id, c.name AS campaign_name, o.contact_uid,
  o.total, o.currency, o.tax, o.shipping, o.city, o.country, o.item_count, o.source, o.attribution, o.click_at, o.refunded, o.cancelled_at
FROM orders o
LEFT JOIN campaigns c ON c.customer_id = o.customer_id AND c.campaign_id = o.campaign_id
LEFT JOIN contacts ct ON ct.customer_id = o.customer_id AND ct.contact_uid = o.contact_uid`;

/** A cart's columns; `extra` adds some (the detail adds its items). */
const cartSelect = (extra = '') => `SELECT k.time, k.cart_id, COALESCE(k.email, ct.email) AS email, k.campaign_id, c.name AS campaign_name, k.contact_uid,
  k.total, k.currency, k.tax, k.shipping, k.city, k.country, k.item_count, k.state, k.abandoned_at, k.order_id${extra}
FROM carts k
LEFT JOIN campaigns c ON c.customer_id = k.customer_id AND c.campaign_id = k.campaign_id
LEFT JOIN contacts ct ON ct.customer_id = k.customer_id AND ct.contact_uid = k.contact_uid`;
const CART_SELECT = cartSelect();
const CART_DETAIL_SELECT = cartSelect(', k.items');

/** The fields an order and a cart share, between the ID and the end (ORDER_SELECT, CART_SELECT). */
function purchaseFields(r: R): Omit<OrderRow, 'time' | OrderOnly> {
  return {
    email: strOrNull(r.email),
    campaignId: orNull(r.campaign_id),
    campaignName: strOrNull(r.campaign_name),
    contactUid: orNull(r.contact_uid),
    total: big(r.total),
    currency: String(r.currency),
    tax: bigOrNull(r.tax),
    shipping: bigOrNull(r.shipping),
    city: strOrNull(r.city),
    country: strOrNull(r.country),
    itemCount: num(r.item_count),
  };
}

function toOrder(r: R): OrderRow {
  return {
    time: num(r.time),
    orderId: String(r.order_id),
    ...purchaseFields(r),
    source: String(r.source),
    attribution: strOrNull(r.attribution) as Attribution | null,
    clickAt: numOrNull(r.click_at),
    refunded: big(r.refunded),
    cancelledAt: numOrNull(r.cancelled_at),
  };
}

function toCart(r: R): CartRow {
  return {
    time: num(r.time),
    cartId: String(r.cart_id),
    ...purchaseFields(r),
    state: String(r.state) as CartState,
    abandonedAt: numOrNull(r.abandoned_at),
    orderId: strOrNull(r.order_id),
  };
}

/** An order_items row as an order's line (getOrder, listItems). */
function toLine(r: R): StoredItem {
  return {
    sku: String(r.sku),
    name: strOrNull(r.name),
    category: strOrNull(r.category),
    price: big(r.price),
    quantity: num(r.quantity),
  };
}

export class ListReports extends ReportQueries {

  // ---- orders ----

  async listOrders(f: ReportFilter, limit: number, after?: OrderKey): Promise<OrderRow[]> {
    const w = new Where().add('o.customer_id = ?', f.customerId);
    campaignTerms(w, f, 'o.');
    timeTerms(w, f.from, f.to, 'o.time');
    if (after) w.add('(o.time, o.order_id) < (?, ?)', after.time, after.id);
    const rows = await this.db.all<R>(`${ORDER_SELECT} WHERE ${w.sql} ORDER BY o.time DESC, o.order_id DESC LIMIT ${w.param(limit)}`, w.params);
    return rows.map(toOrder);
  }

  async getOrder(customerId: string, orderId: string): Promise<(OrderRow & { items: StoredItem[] }) | undefined> {
    const row = await this.db.get<R>(`${ORDER_SELECT} WHERE o.customer_id = $1 AND o.order_id = $2`, [customerId, orderId]);
    if (!row) return undefined;
    const items = await this.db.all<R>(
      'SELECT sku, name, category, price, quantity FROM order_items WHERE customer_id = $1 AND order_id = $2 ORDER BY line',
      [customerId, orderId],
    );
    return {
      ...toOrder(row),
      items: items.map(toLine),
    };
  }

  countOrders(f: ReportFilter): Promise<number> {
    return this.countFromStats(f, 'orders', 'orders');
  }

  // ---- abandoned carts ----

  async listAbandoned(f: ReportFilter, limit: number, after?: OrderKey): Promise<CartRow[]> {
    const w = new Where().add('k.customer_id = ?', f.customerId).add("k.state = 'abandoned'");
    campaignTerms(w, f, 'k.');
    timeTerms(w, f.from, f.to, 'k.time');
    if (after) w.add('(k.time, k.cart_id) < (?, ?)', after.time, after.id);
    const rows = await this.db.all<R>(`${CART_SELECT} WHERE ${w.sql} ORDER BY k.time DESC, k.cart_id DESC LIMIT ${w.param(limit)}`, w.params);
    return rows.map(toCart);
  }

  async getCart(customerId: string, cartId: string): Promise<(CartRow & { items: StoredItem[] }) | undefined> {
    const row = await this.db.get<R>(`${CART_DETAIL_SELECT} WHERE k.customer_id = $1 AND k.cart_id = $2`, [
      customerId,
      cartId,
    ]);
    if (!row) return undefined;
    return { ...toCart(row), items: parseCartItems(String(row.items)) };
  }

  countAbandoned(f: ReportFilter): Promise<number> {
    return this.countFromStats(f, 'abandoned', 'carts', "state = 'abandoned'");
  }

  // ---- items sold ----

  async listItems(f: ReportFilter, limit: number, after?: ItemKey): Promise<ItemRow[]> {
    const w = new Where().add('i.customer_id = ?', f.customerId);
    campaignTerms(w, f, 'i.');
    timeTerms(w, f.from, f.to, 'i.time');
    if (after) w.add('(i.time, i.order_id, i.line) < (?, ?, ?)', after.time, after.id, after.line);
    const rows = await this.db.all<R>(
      `SELECT i.time, i.sku, i.name, i.category, i.price, i.quantity, i.order_id, i.line, i.campaign_id, c.name AS campaign_name
       FROM order_items i LEFT JOIN campaigns c ON c.customer_id = i.customer_id AND c.campaign_id = i.campaign_id
       WHERE ${w.sql} ORDER BY i.time DESC, i.order_id DESC, i.line DESC LIMIT ${w.param(limit)}`,
      w.params,
    );
    return rows.map((r) => ({
      time: num(r.time),
      ...toLine(r),
      orderId: String(r.order_id),
      line: num(r.line),
      campaignId: orNull(r.campaign_id),
      campaignName: strOrNull(r.campaign_name),
    }));
  }

  countItems(f: ReportFilter): Promise<number> {
    return this.countFromStats(f, 'item_lines', 'order_items');
  }

  /**
   * SUM(column) of daily_stats over the whole days + COUNT(*) of the raw rows of `table`
   * (those matching `term` too, when given) in the partial days.
   */
  private async countFromStats(
    f: ReportFilter,
    column: 'orders' | 'abandoned' | 'item_lines',
    table: 'orders' | 'carts' | 'order_items',
    term?: string,
  ): Promise<number> {
    const split = splitRange(f.from, f.to);
    let total = 0;
    if (split.days) {
      const w = dailyWhere(f, split.days);
      const row = await this.db.get<R>(`SELECT SUM(${column}) AS n FROM daily_stats WHERE ${w.sql}`, w.params);
      total += num(row?.n ?? 0);
    }
    for (const edge of split.edges) {
      const w = edgeWhere(f, edge, ...(term === undefined ? [] : [term]));
      const row = await this.db.get<R>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${w.sql}`, w.params);
      total += num(row?.n ?? 0);
    }
    return total;
  }
}
