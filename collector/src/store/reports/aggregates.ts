// The aggregate reports (summary, timeseries, clicks, attribution) and the campaign list:
// daily_stats and its siblings for whole UTC days, the raw rows for the partial days at the
// range's edges, so none scans the orders to count or sum.
import { num } from '../database.js';
import type { AttributionKey } from '../stats.js';
import { DAY_MS } from '../types.js';
import { ListReports } from './lists.js';
import { Where, campaignTerms, dailyWhere, edgeWhere, moneyOf, splitRange, timeTerms, type R, type ReportFilter } from './query.js';

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

const CART_STATES = "('empty', 'open', 'abandoned', 'ordered', 'recovered')";

/** Every report query of a customer (the store's `reports`). */
export class ReportRepository extends ListReports {

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
