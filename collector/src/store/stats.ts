// The per (customer, campaign, day, currency) aggregate, kept in the same transaction as every
// order/cart write, so the summary and the timeseries never scan the orders. Changes are
// summed in memory during a transaction and written once at its end, in key order (no
// deadlocks between collectors that write the same rows). Orders, revenue and refunds are
// also kept per attribution method (attribution_days), for the attribution report.
import type { Column, Dialect, Sql } from './database.js';
import { jsonParam } from './json-param.js';
import { dayOf, type Attribution, type CartState } from './types.js';

interface Delta {
  orders: number;
  revenue: bigint;
  itemLines: number;
  carts: number;
  converted: number;
  abandoned: number;
  abandonedValue: bigint;
  recovered: number;
  /** orders with a first refund */
  refundedOrders: number;
  refunded: bigint;
}

const zero = (): Delta => ({
  orders: 0,
  revenue: 0n,
  itemLines: 0,
  carts: 0,
  converted: 0,
  abandoned: 0,
  abandonedValue: 0n,
  recovered: 0,
  refundedOrders: 0,
  refunded: 0n,
});

/** How an order was attributed, or `none` for direct traffic. */
export type AttributionKey = Attribution | 'none';

interface AttributionDelta {
  orders: number;
  revenue: bigint;
  refunded: bigint;
}

/** What a cart adds to the aggregate; its row fields as stored. */
export interface CartFacts {
  campaignId: string;
  time: number;
  currency: string;
  state: CartState;
  itemCount: number;
  total: bigint;
}

interface BuyerTotals {
  buyers: number;
  first: number;
  last: number;
}

const SEP = '\u0000';

export class StatsAccumulator {
  private readonly deltas = new Map<string, Delta>();
  private readonly buyers = new Map<string, BuyerTotals>();
  private readonly attributions = new Map<string, AttributionDelta>();

  private at(customerId: string, campaignId: string, day: number, currency: string): Delta {
    const key = [customerId, campaignId, String(day).padStart(8, '0'), currency].join(SEP);
    let d = this.deltas.get(key);
    if (!d) this.deltas.set(key, (d = zero()));
    return d;
  }

  private attributed(customerId: string, campaignId: string, day: number, currency: string, how: AttributionKey): AttributionDelta {
    const key = [customerId, campaignId, String(day).padStart(8, '0'), currency, how].join(SEP);
    let d = this.attributions.get(key);
    if (!d) this.attributions.set(key, (d = { orders: 0, revenue: 0n, refunded: 0n }));
    return d;
  }

  /**
   * An order counted (`count` 1), or taken back (-1, with its total and lines negated);
   * `attribution` (null for direct traffic) counts it per attribution method too.
   */
  order(
    customerId: string,
    campaignId: string,
    time: number,
    currency: string,
    total: bigint,
    itemLines: number,
    count: 1 | -1 = 1,
    attribution?: Attribution | null,
  ): void {
    const d = this.at(customerId, campaignId, dayOf(time), currency);
    d.orders += count;
    d.revenue += total;
    d.itemLines += itemLines;
    if (attribution === undefined) return;
    const a = this.attributed(customerId, campaignId, dayOf(time), currency, attribution ?? 'none');
    a.orders += count;
    a.revenue += total;
  }

  /** A refund of an order, booked to the order's own campaign, day and attribution; `orders`: 1 when the order had none before (−1 to take its refunds away). */
  refund(customerId: string, o: { campaignId: string; time: number; currency: string; attribution: Attribution | null }, amount: bigint, orders: number): void {
    const d = this.at(customerId, o.campaignId, dayOf(o.time), o.currency);
    d.refunded += amount;
    d.refundedOrders += orders;
    this.attributed(customerId, o.campaignId, dayOf(o.time), o.currency, o.attribution ?? 'none').refunded += amount;
  }

  /** A cart changed from `before` (undefined when new) to `after`. */
  cart(customerId: string, before: CartFacts | undefined, after: CartFacts): void {
    if (before) this.addCart(customerId, before, -1);
    this.addCart(customerId, after, 1);
  }

  private addCart(customerId: string, c: CartFacts, sign: 1 | -1): void {
    if (c.itemCount <= 0) return; // a cart with no items is neither started nor abandoned
    const d = this.at(customerId, c.campaignId, dayOf(c.time), c.currency);
    const s = BigInt(sign);
    d.carts += sign;
    if (c.state === 'ordered' || c.state === 'recovered') d.converted += sign;
    if (c.state === 'abandoned') {
      d.abandoned += sign;
      d.abandonedValue += s * c.total;
    }
    if (c.state === 'recovered') d.recovered += sign;
  }

  /** An order time for (campaign, currency), and the change to its distinct buyers: 1 for the buyer's first order there, -1 for a buyer who has none left there. */
  buyer(customerId: string, campaignId: string, currency: string, time: number, change: number): void {
    const key = [customerId, campaignId, currency].join(SEP);
    const t = this.buyers.get(key);
    if (!t) this.buyers.set(key, { buyers: change, first: time, last: time });
    else {
      t.buyers += change;
      t.first = Math.min(t.first, time);
      t.last = Math.max(t.last, time);
    }
  }

  /** Writes the summed changes: one statement per table, rows in key order (no deadlocks between collectors). */
  async flush(tx: Sql, dialect: Dialect): Promise<void> {
    const days: Record<string, unknown>[] = [];
    for (const key of [...this.deltas.keys()].sort()) {
      const d = this.deltas.get(key)!;
      if (isZero(d)) continue;
      const [customerId, campaignId, day, currency] = key.split(SEP);
      days.push({
        customer_id: customerId,
        campaign_id: campaignId,
        day: Number(day),
        currency,
        orders: d.orders,
        revenue: d.revenue,
        item_lines: d.itemLines,
        carts: d.carts,
        converted: d.converted,
        abandoned: d.abandoned,
        abandoned_value: d.abandonedValue,
        recovered: d.recovered,
        refunded_orders: d.refundedOrders,
        refunded: d.refunded,
      });
    }
    if (days.length) {
      const adds = DAY_SUMS.map(([n]) => `${n} = daily_stats.${n} + excluded.${n}`).join(', ');
      await tx.run(
        `INSERT INTO daily_stats (${DAY_COLUMNS.map(([n]) => n).join(', ')})
         SELECT ${DAY_COLUMNS.map(([n]) => `r.${n}`).join(', ')} FROM ${dialect.recordset('$1', 'r', DAY_COLUMNS)} WHERE true
         ON CONFLICT (customer_id, campaign_id, day, currency) DO UPDATE SET ${adds}`,
        [jsonParam(days)],
      );
    }
    const totals = [...this.buyers.keys()].sort().map((key) => {
      const t = this.buyers.get(key)!;
      const [customerId, campaignId, currency] = key.split(SEP);
      return { customer_id: customerId, campaign_id: campaignId, currency, buyers: t.buyers, first_time: t.first, last_time: t.last };
    });
    if (totals.length) {
      await tx.run(
        `INSERT INTO campaign_totals (customer_id, campaign_id, currency, buyers, first_time, last_time)
         SELECT r.customer_id, r.campaign_id, r.currency, r.buyers, r.first_time, r.last_time FROM ${dialect.recordset('$1', 'r', TOTAL_COLUMNS)} WHERE true
         ON CONFLICT (customer_id, campaign_id, currency) DO UPDATE SET
           buyers = campaign_totals.buyers + excluded.buyers,
           first_time = ${dialect.least('campaign_totals.first_time', 'excluded.first_time')},
           last_time = ${dialect.greatest('campaign_totals.last_time', 'excluded.last_time')}`,
        [jsonParam(totals)],
      );
    }
    await this.flushAttributions(tx, dialect);
    this.deltas.clear();
    this.buyers.clear();
  }

  private async flushAttributions(tx: Sql, dialect: Dialect): Promise<void> {
    const rows: Record<string, unknown>[] = [];
    for (const key of [...this.attributions.keys()].sort()) {
      const a = this.attributions.get(key)!;
      if (a.orders === 0 && a.revenue === 0n && a.refunded === 0n) continue;
      const [customerId, campaignId, day, currency, attribution] = key.split(SEP);
      rows.push({ customer_id: customerId, campaign_id: campaignId, day: Number(day), currency, attribution, ...a });
    }
    this.attributions.clear();
    if (rows.length === 0) return;
    await tx.run(
      `INSERT INTO attribution_days (customer_id, campaign_id, day, currency, attribution, orders, revenue, refunded)
       SELECT r.customer_id, r.campaign_id, r.day, r.currency, r.attribution, r.orders, r.revenue, r.refunded FROM ${dialect.recordset('$1', 'r', ATTRIBUTION_COLUMNS)} WHERE true
       ON CONFLICT (customer_id, campaign_id, day, currency, attribution) DO UPDATE SET
         orders = attribution_days.orders + excluded.orders,
         revenue = attribution_days.revenue + excluded.revenue,
         refunded = attribution_days.refunded + excluded.refunded`,
      [jsonParam(rows)],
    );
  }
}

const DAY_SUMS: readonly Column[] = [
  ['orders', 'bigint'],
  ['revenue', 'numeric'],
  ['item_lines', 'bigint'],
  ['carts', 'bigint'],
  ['converted', 'bigint'],
  ['abandoned', 'bigint'],
  ['abandoned_value', 'numeric'],
  ['recovered', 'bigint'],
  ['refunded_orders', 'bigint'],
  ['refunded', 'numeric'],
];
const DAY_COLUMNS: readonly Column[] = [['customer_id', 'text'], ['campaign_id', 'text'], ['day', 'bigint'], ['currency', 'text'], ...DAY_SUMS];
const ATTRIBUTION_COLUMNS: readonly Column[] = [
  ['customer_id', 'text'],
  ['campaign_id', 'text'],
  ['day', 'bigint'],
  ['currency', 'text'],
  ['attribution', 'text'],
  ['orders', 'bigint'],
  ['revenue', 'numeric'],
  ['refunded', 'numeric'],
];
const TOTAL_COLUMNS: readonly Column[] = [
  ['customer_id', 'text'],
  ['campaign_id', 'text'],
  ['currency', 'text'],
  ['buyers', 'bigint'],
  ['first_time', 'bigint'],
  ['last_time', 'bigint'],
];

function isZero(d: Delta): boolean {
  return (
    d.orders === 0 &&
    d.revenue === 0n &&
    d.itemLines === 0 &&
    d.carts === 0 &&
    d.converted === 0 &&
    d.abandoned === 0 &&
    d.abandonedValue === 0n &&
    d.recovered === 0 &&
    d.refundedOrders === 0 &&
    d.refunded === 0n
  );
}
