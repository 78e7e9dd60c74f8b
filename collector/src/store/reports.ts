// Report queries (docs/http-api.md, "Reports"): keyset-paged lists newest first, and aggregates read from
// daily_stats (whole UTC days) plus the raw rows of the partial days at the range's edges,
// so no report scans the orders table to count or sum.
import { big, bigOrNull, num, strOrNull, type Database, type SqlValue } from './database.js';
import { parseCartItems } from './cart-items.js';
import type { AttributionKey } from './stats.js';
import { DAY_MS, type Attribution, type CartState, type StoredItem } from './types.js';

/** Where SQLite's money sums split an amount: each part's SUM stays far from overflow. */
const SPLIT = 1_000_000_000n;

/**
 * SUM of a money expression, exact on both engines. PostgreSQL sums BIGINT and NUMERIC into
 * NUMERIC. SQLite's SUM of integers throws on overflow, so it sums the high and the low
 * parts apart (`name_hi`, `name_lo`), joined in BigInt by `moneyOf`.
 */
function moneySum(engine: Database['engine'], expr: string, name: string): string {
  if (engine === 'postgres') return `SUM(${expr}) AS ${name}`;
  return `SUM((${expr}) / ${SPLIT}) AS ${name}_hi, SUM((${expr}) % ${SPLIT}) AS ${name}_lo`;
}

/** A `moneySum` read back exactly. */
function moneyOf(r: R, name: string): bigint {
  return `${name}_hi` in r ? big(r[`${name}_hi`] ?? 0) * SPLIT + big(r[`${name}_lo`] ?? 0) : big(r[name] ?? 0);
}

export interface ReportFilter {
  customerId: string;
  /** inclusive, epoch ms */
  from?: number;
  /** exclusive, epoch ms */
  to?: number;
  campaignId?: string;
  /** 'email': only rows attributed to an email campaign; 'all': direct traffic too */
  attributed: 'email' | 'all';
}

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

export interface StatsRow {
  campaignId: string | null;
  currency: string;
  orders: number;
  revenue: bigint;
  carts: number;
  converted: number;
  abandoned: number;
  abandonedValue: bigint;
  recovered: number;
  /** orders with a refund */
  refundedOrders: number;
  refunded: bigint;
}

export interface SummaryRow extends StatsRow {
  campaignName: string | null;
  buyers: number;
}

export interface DayRow {
  day: number;
  currency: string;
  orders: number;
  revenue: bigint;
  abandoned: number;
  abandonedValue: bigint;
  refunded: bigint;
}

/** Orders and revenue of one attribution method and currency. */
export interface AttributionRow {
  attribution: AttributionKey;
  currency: string;
  orders: number;
  revenue: bigint;
  refunded: bigint;
}

export interface OrderKey {
  time: number;
  id: string;
}
export interface ItemKey extends OrderKey {
  line: number;
}

/** A range split into whole UTC days (daily_stats) and the partial days at its ends (raw rows). */
export interface SplitRange {
  /** [first, end) day numbers; undefined bounds are open; null when there is no whole day */
  days: { first?: number; end?: number } | null;
  /** [from, to) epoch ms ranges of partial days */
  edges: { from: number; to: number }[];
}

export function splitRange(from?: number, to?: number): SplitRange {
  const edges: { from: number; to: number }[] = [];
  const first = from === undefined ? undefined : Math.ceil(from / DAY_MS);
  const end = to === undefined ? undefined : Math.floor(to / DAY_MS);
  if (first !== undefined && end !== undefined && first >= end) {
    return { days: null, edges: from! < to! ? [{ from: from!, to: to! }] : [] };
  }
  if (from !== undefined && first! * DAY_MS > from) edges.push({ from, to: first! * DAY_MS });
  if (to !== undefined && end! * DAY_MS < to) edges.push({ from: end! * DAY_MS, to });
  return { days: { first, end }, edges };
}

/** Builds a WHERE clause with numbered parameters. */
export class Where {
  readonly params: SqlValue[] = [];
  private readonly terms: string[] = [];

  add(term: string, ...values: SqlValue[]): this {
    let text = term;
    for (const v of values) {
      this.params.push(v);
      text = text.replace('?', `$${this.params.length}`);
    }
    this.terms.push(text);
    return this;
  }

  /** a placeholder for one more value, e.g. LIMIT */
  param(v: SqlValue): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }

  get sql(): string {
    return this.terms.join(' AND ');
  }
}

function campaignTerms(w: Where, f: ReportFilter, alias: string): void {
  if (f.campaignId !== undefined) w.add(`${alias}campaign_id = ?`, f.campaignId);
  else if (f.attributed === 'email') w.add(`${alias}campaign_id <> ''`);
}

/** The daily_stats rows of the filter's customer and campaigns in the whole days [first, end). */
function dailyWhere(f: ReportFilter, days: NonNullable<SplitRange['days']>): Where {
  const w = new Where().add('customer_id = ?', f.customerId);
  campaignTerms(w, f, '');
  if (days.first !== undefined) w.add('day >= ?', days.first);
  if (days.end !== undefined) w.add('day < ?', days.end);
  return w;
}

function timeTerms(w: Where, from: number | undefined, to: number | undefined, column: string): void {
  if (from !== undefined) w.add(`${column} >= ?`, from);
  if (to !== undefined) w.add(`${column} < ?`, to);
}

/** The raw rows (with `terms` too) of the filter's customer and campaigns in one partial day. */
function edgeWhere(f: ReportFilter, edge: { from: number; to: number }, ...terms: string[]): Where {
  const w = new Where().add('customer_id = ?', f.customerId);
  for (const term of terms) w.add(term);
  campaignTerms(w, f, '');
  timeTerms(w, edge.from, edge.to, 'time');
  return w;
}

const ORDER_SELECT = `SELECT o.time, o.order_id, COALESCE(o.email, ct.email) AS email, o.campaign_id, c.name AS campaign_name, o.contact_uid,
  o.total, o.currency, o.tax, o.shipping, o.city, o.country, o.item_count, o.source, o.attribution, o.click_at, o.refunded, o.cancelled_at
FROM orders o
LEFT JOIN campaigns c ON c.customer_id = o.customer_id AND c.campaign_id = o.campaign_id
LEFT JOIN contacts ct ON ct.customer_id = o.customer_id AND ct.contact_uid = o.contact_uid`;

const CART_SELECT = `SELECT k.time, k.cart_id, COALESCE(k.email, ct.email) AS email, k.campaign_id, c.name AS campaign_name, k.contact_uid,
  k.total, k.currency, k.tax, k.shipping, k.city, k.country, k.item_count, k.state, k.abandoned_at, k.order_id
FROM carts k
LEFT JOIN campaigns c ON c.customer_id = k.customer_id AND c.campaign_id = k.campaign_id
LEFT JOIN contacts ct ON ct.customer_id = k.customer_id AND ct.contact_uid = k.contact_uid`;

const CART_STATES = "('empty', 'open', 'abandoned', 'ordered', 'recovered')";

type R = Record<string, unknown>;
const orNull = (v: unknown): string | null => (v === '' || v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

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

export class ReportRepository {
  constructor(private readonly db: Database) {}

  private sum(expr: string, name = expr): string {
    return moneySum(this.db.engine, expr, name);
  }

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
    const row = await this.db.get<R>(`${CART_SELECT.replace('k.order_id', 'k.order_id, k.items')} WHERE k.customer_id = $1 AND k.cart_id = $2`, [
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

  // ---- aggregates ----

  /** Per (campaign, currency): orders, revenue and cart counts in the range. */
  async stats(f: ReportFilter): Promise<StatsRow[]> {
    const split = splitRange(f.from, f.to);
    const acc = new Map<string, StatsRow>();
    const merge = (r: R) => {
      const campaignId = String(r.campaign_id);
      const key = `${campaignId}\u0000${String(r.currency)}`;
      let s = acc.get(key);
      if (!s) {
        s = {
          campaignId: campaignId === '' ? null : campaignId,
          currency: String(r.currency),
          orders: 0,
          revenue: 0n,
          carts: 0,
          converted: 0,
          abandoned: 0,
          abandonedValue: 0n,
          recovered: 0,
          refundedOrders: 0,
          refunded: 0n,
        };
        acc.set(key, s);
      }
      s.orders += num(r.orders ?? 0);
      s.revenue += moneyOf(r, 'revenue');
      s.carts += num(r.carts ?? 0);
      s.converted += num(r.converted ?? 0);
      s.abandoned += num(r.abandoned ?? 0);
      s.abandonedValue += moneyOf(r, 'abandoned_value');
      s.recovered += num(r.recovered ?? 0);
      s.refundedOrders += num(r.refunded_orders ?? 0);
      s.refunded += moneyOf(r, 'refunded');
    };
    if (split.days) {
      const w = dailyWhere(f, split.days);
      const rows = await this.db.all<R>(
        `SELECT campaign_id, currency, SUM(orders) AS orders, ${this.sum('revenue')}, SUM(carts) AS carts, SUM(converted) AS converted,
           SUM(abandoned) AS abandoned, ${this.sum('abandoned_value')}, SUM(recovered) AS recovered,
           SUM(refunded_orders) AS refunded_orders, ${this.sum('refunded')}
         FROM daily_stats WHERE ${w.sql} GROUP BY campaign_id, currency`,
        w.params,
      );
      rows.forEach(merge);
    }
    for (const edge of split.edges) {
      for (const r of await this.edgeOrders(f, edge)) merge(r);
      for (const r of await this.edgeCarts(f, edge)) merge(r);
    }
    return [...acc.values()];
  }

  private edgeOrders(f: ReportFilter, edge: { from: number; to: number }): Promise<R[]> {
    const w = edgeWhere(f, edge);
    return this.db.all<R>(
      `SELECT campaign_id, currency, COUNT(*) AS orders, ${this.sum('total', 'revenue')},
         SUM(CASE WHEN refunded > 0 THEN 1 ELSE 0 END) AS refunded_orders, ${this.sum('refunded')}
       FROM orders WHERE ${w.sql} GROUP BY campaign_id, currency`,
      w.params,
    );
  }

  private edgeCarts(f: ReportFilter, edge: { from: number; to: number }): Promise<R[]> {
    const w = edgeWhere(f, edge, `state IN ${CART_STATES}`, 'item_count > 0');
    return this.db.all<R>(
      `SELECT campaign_id, currency, COUNT(*) AS carts,
         SUM(CASE WHEN state IN ('ordered', 'recovered') THEN 1 ELSE 0 END) AS converted,
         SUM(CASE WHEN state = 'abandoned' THEN 1 ELSE 0 END) AS abandoned,
         ${this.sum("CASE WHEN state = 'abandoned' THEN total ELSE 0 END", 'abandoned_value')},
         SUM(CASE WHEN state = 'recovered' THEN 1 ELSE 0 END) AS recovered
       FROM carts WHERE ${w.sql} GROUP BY campaign_id, currency`,
      w.params,
    );
  }

  /**
   * Distinct buyers per (campaign, currency) in the range, for each campaign_totals row (one per
   * campaign and currency with an order) that has orders in it: the maintained all-time count
   * when the range holds all of its orders, else counted from its buyer_days in the whole days
   * (+ its orders in the partial days at the edges).
   *
   * Counted one (campaign, currency) at a time, each a range of buyer_days' primary key: many
   * small DISTINCTs instead of one sort of the whole range by campaign, currency and buyer
   * (which spilled to disk on PostgreSQL and needed two temporary B-trees on SQLite).
   */
  async buyers(f: ReportFilter): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const w = new Where().add('t.customer_id = ?', f.customerId);
    campaignTerms(w, f, 't.');
    let buyers = 't.buyers';
    if (f.from !== undefined || f.to !== undefined) {
      const split = splitRange(f.from, f.to);
      // the rows of one part of the UNION for the campaign and currency of t
      const same = (a: string) => `${a}.customer_id = t.customer_id AND ${a}.campaign_id = t.campaign_id AND ${a}.currency = t.currency`;
      const parts: string[] = [];
      if (split.days) {
        const terms = [same('b')];
        if (split.days.first !== undefined) terms.push(`b.day >= ${w.param(split.days.first)}`);
        if (split.days.end !== undefined) terms.push(`b.day < ${w.param(split.days.end)}`);
        parts.push(`SELECT b.buyer FROM buyer_days b WHERE ${terms.join(' AND ')}`);
      }
      for (const edge of split.edges) {
        parts.push(`SELECT o.buyer FROM orders o WHERE ${same('o')} AND o.time >= ${w.param(edge.from)} AND o.time < ${w.param(edge.to)}`);
      }
      if (parts.length === 0) return out;
      const covered: string[] = [];
      if (f.from !== undefined) covered.push(`t.first_time >= ${w.param(f.from)}`);
      if (f.to !== undefined) covered.push(`t.last_time < ${w.param(f.to)}`);
      // SELECT DISTINCT, counted outside: PostgreSQL hashes it (COUNT(DISTINCT) always sorts)
      buyers = `CASE WHEN ${covered.join(' AND ')} THEN t.buyers
        ELSE (SELECT COUNT(*) FROM (SELECT DISTINCT buyer FROM (${parts.join(' UNION ALL ')}) p) x) END`;
      // a campaign whose orders all fall before or after the range has no buyer in it
      if (f.to !== undefined) w.add('t.first_time < ?', f.to);
      if (f.from !== undefined) w.add('t.last_time >= ?', f.from);
    }
    const rows = await this.db.all<R>(`SELECT t.campaign_id, t.currency, ${buyers} AS buyers FROM campaign_totals t WHERE ${w.sql}`, w.params);
    for (const r of rows) out.set(`${String(r.campaign_id)}\u0000${String(r.currency)}`, num(r.buyers));
    return out;
  }

  /** Per (UTC day, currency) in the range; only days with data. */
  async days(f: ReportFilter): Promise<DayRow[]> {
    const split = splitRange(f.from, f.to);
    const acc = new Map<string, DayRow>();
    const merge = (day: number, r: R) => {
      const key = `${day}\u0000${String(r.currency)}`;
      let d = acc.get(key);
      if (!d) acc.set(key, (d = { day, currency: String(r.currency), orders: 0, revenue: 0n, abandoned: 0, abandonedValue: 0n, refunded: 0n }));
      d.orders += num(r.orders ?? 0);
      d.revenue += moneyOf(r, 'revenue');
      d.abandoned += num(r.abandoned ?? 0);
      d.abandonedValue += moneyOf(r, 'abandoned_value');
      d.refunded += moneyOf(r, 'refunded');
    };
    if (split.days) {
      const w = dailyWhere(f, split.days);
      const rows = await this.db.all<R>(
        `SELECT day, currency, SUM(orders) AS orders, ${this.sum('revenue')}, SUM(abandoned) AS abandoned, ${this.sum('abandoned_value')},
           ${this.sum('refunded')}
         FROM daily_stats WHERE ${w.sql} GROUP BY day, currency`,
        w.params,
      );
      for (const r of rows) merge(num(r.day), r);
    }
    for (const edge of split.edges) {
      const day = Math.floor(edge.from / DAY_MS);
      for (const r of await this.edgeOrders(f, edge)) merge(day, r);
      for (const r of await this.edgeCarts(f, edge)) merge(day, r);
    }
    return [...acc.values()].sort((a, b) => a.day - b.day || (a.currency < b.currency ? -1 : 1));
  }

  /** Clicks per campaign in the range: click_days for the whole days, the clicks themselves in the partial days. */
  async clicks(f: ReportFilter): Promise<Map<string, number>> {
    const split = splitRange(f.from, f.to);
    const out = new Map<string, number>();
    const merge = (rows: R[]) => {
      for (const r of rows) out.set(String(r.campaign_id), (out.get(String(r.campaign_id)) ?? 0) + num(r.clicks));
    };
    if (split.days) {
      const w = dailyWhere(f, split.days);
      merge(await this.db.all<R>(`SELECT campaign_id, SUM(clicks) AS clicks FROM click_days WHERE ${w.sql} GROUP BY campaign_id`, w.params));
    }
    for (const edge of split.edges) {
      const w = new Where().add('customer_id = ?', f.customerId);
      campaignTerms(w, f, '');
      timeTerms(w, edge.from, edge.to, 'clicked_at');
      merge(await this.db.all<R>(`SELECT campaign_id, COUNT(*) AS clicks FROM clicks WHERE ${w.sql} GROUP BY campaign_id`, w.params));
    }
    return out;
  }

  /**
   * Orders, revenue and refunds per attribution method ('none': direct traffic) and currency:
   * attribution_days for the whole days, the orders themselves in the partial days.
   */
  async attributions(f: ReportFilter): Promise<AttributionRow[]> {
    const split = splitRange(f.from, f.to);
    const acc = new Map<string, AttributionRow>();
    const merge = (rows: R[]) => {
      for (const r of rows) {
        const key = `${String(r.attribution)}\u0000${String(r.currency)}`;
        let a = acc.get(key);
        if (!a) acc.set(key, (a = { attribution: String(r.attribution) as AttributionKey, currency: String(r.currency), orders: 0, revenue: 0n, refunded: 0n }));
        a.orders += num(r.orders);
        a.revenue += moneyOf(r, 'revenue');
        a.refunded += moneyOf(r, 'refunded');
      }
    };
    if (split.days) {
      const w = dailyWhere(f, split.days);
      merge(
        await this.db.all<R>(
          `SELECT attribution, currency, SUM(orders) AS orders, ${this.sum('revenue')}, ${this.sum('refunded')}
           FROM attribution_days WHERE ${w.sql} GROUP BY attribution, currency`,
          w.params,
        ),
      );
    }
    for (const edge of split.edges) {
      const w = edgeWhere(f, edge);
      merge(
        await this.db.all<R>(
          `SELECT COALESCE(attribution, 'none') AS attribution, currency, COUNT(*) AS orders, ${this.sum('total', 'revenue')}, ${this.sum('refunded')}
           FROM orders WHERE ${w.sql} GROUP BY COALESCE(attribution, 'none'), currency`,
          w.params,
        ),
      );
    }
    return [...acc.values()];
  }

  /** Campaign names in the directory plus campaigns seen in data (without a name). */
  async campaigns(customerId: string): Promise<{ campaignId: string; name: string | null }[]> {
    const named = await this.db.all<R>('SELECT campaign_id, name FROM campaigns WHERE customer_id = $1', [customerId]);
    const seen = await this.db.all<R>("SELECT DISTINCT campaign_id FROM daily_stats WHERE customer_id = $1 AND campaign_id <> ''", [customerId]);
    const out = new Map<string, string | null>();
    for (const r of seen) out.set(String(r.campaign_id), null);
    for (const r of named) out.set(String(r.campaign_id), String(r.name));
    return [...out.entries()]
      .map(([campaignId, name]) => ({ campaignId, name }))
      .sort((a, b) => (a.campaignId < b.campaignId ? -1 : a.campaignId > b.campaignId ? 1 : 0));
  }

  /** Names for the given campaign IDs (summary rows). */
  async campaignNames(customerId: string): Promise<Map<string, string>> {
    const rows = await this.db.all<R>('SELECT campaign_id, name FROM campaigns WHERE customer_id = $1', [customerId]);
    return new Map(rows.map((r) => [String(r.campaign_id), String(r.name)]));
  }
}
