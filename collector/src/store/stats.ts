// The per (customer, campaign, day, currency) aggregate, kept in the same transaction as every
// order/cart write, so the summary and the timeseries never scan the orders. Changes are
// summed in memory during a transaction and written once at its end, in key order (no
// deadlocks between collectors that write the same rows).
import type { Dialect, Sql } from './database.js';
import { dayOf, type CartState } from './types.js';

interface Delta {
  orders: number;
  revenue: bigint;
  itemLines: number;
  carts: number;
  converted: number;
  abandoned: number;
  abandonedValue: bigint;
  recovered: number;
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
});

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

  private at(customerId: string, campaignId: string, day: number, currency: string): Delta {
    const key = [customerId, campaignId, String(day).padStart(8, '0'), currency].join(SEP);
    let d = this.deltas.get(key);
    if (!d) this.deltas.set(key, (d = zero()));
    return d;
  }

  order(customerId: string, campaignId: string, time: number, currency: string, total: bigint, itemLines: number): void {
    const d = this.at(customerId, campaignId, dayOf(time), currency);
    d.orders += 1;
    d.revenue += total;
    d.itemLines += itemLines;
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

  /** An order time for (campaign, currency); `isNewBuyer` when the buyer's first order there. */
  buyer(customerId: string, campaignId: string, currency: string, time: number, isNewBuyer: boolean): void {
    const key = [customerId, campaignId, currency].join(SEP);
    const t = this.buyers.get(key);
    if (!t) this.buyers.set(key, { buyers: isNewBuyer ? 1 : 0, first: time, last: time });
    else {
      if (isNewBuyer) t.buyers += 1;
      t.first = Math.min(t.first, time);
      t.last = Math.max(t.last, time);
    }
  }

  async flush(tx: Sql, dialect: Dialect): Promise<void> {
    for (const key of [...this.deltas.keys()].sort()) {
      const d = this.deltas.get(key)!;
      if (isZero(d)) continue;
      const [customerId, campaignId, day, currency] = key.split(SEP);
      await tx.run(
        `INSERT INTO daily_stats (customer_id, campaign_id, day, currency, orders, revenue, item_lines, carts, converted, abandoned, abandoned_value, recovered)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (customer_id, campaign_id, day, currency) DO UPDATE SET
           orders = daily_stats.orders + excluded.orders,
           revenue = daily_stats.revenue + excluded.revenue,
           item_lines = daily_stats.item_lines + excluded.item_lines,
           carts = daily_stats.carts + excluded.carts,
           converted = daily_stats.converted + excluded.converted,
           abandoned = daily_stats.abandoned + excluded.abandoned,
           abandoned_value = daily_stats.abandoned_value + excluded.abandoned_value,
           recovered = daily_stats.recovered + excluded.recovered`,
        [
          customerId,
          campaignId,
          Number(day),
          currency,
          d.orders,
          d.revenue,
          d.itemLines,
          d.carts,
          d.converted,
          d.abandoned,
          d.abandonedValue,
          d.recovered,
        ],
      );
    }
    for (const key of [...this.buyers.keys()].sort()) {
      const t = this.buyers.get(key)!;
      const [customerId, campaignId, currency] = key.split(SEP);
      await tx.run(
        `INSERT INTO campaign_totals (customer_id, campaign_id, currency, buyers, first_time, last_time)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (customer_id, campaign_id, currency) DO UPDATE SET
           buyers = campaign_totals.buyers + excluded.buyers,
           first_time = ${dialect.least('campaign_totals.first_time', 'excluded.first_time')},
           last_time = ${dialect.greatest('campaign_totals.last_time', 'excluded.last_time')}`,
        [customerId, campaignId, currency, t.buyers, t.first, t.last],
      );
    }
    this.deltas.clear();
    this.buyers.clear();
  }
}

function isZero(d: Delta): boolean {
  return (
    d.orders === 0 &&
    d.revenue === 0n &&
    d.itemLines === 0 &&
    d.carts === 0 &&
    d.converted === 0 &&
    d.abandoned === 0 &&
    d.abandonedValue === 0n &&
    d.recovered === 0
  );
}
