// Refunds and cancellations of stored orders (docs/advanced.md, "Refunds and cancellations").
// Each write is one transaction with the order row locked (FOR UPDATE on PostgreSQL; SQLite's
// write transactions are exclusive), so refunds racing for the last amount never exceed what
// was paid. In the same transaction: the refund row, the order's refunded amount (and
// cancellation), the aggregates (booked to the order's own campaign and day), the contact's
// net order value, and the `order.refunded` webhook through the outbox.
import { randomUUID } from 'node:crypto';
import { orderRefunded } from './outbox-payloads.js';
import { directoryEmail } from './profiles.js';
import { big, num, strOrNull, type Database, type Sql } from './database.js';
import { WriteEffects } from './effects.js';
import type { Attribution, StoredItem } from './types.js';

/** A stored order as a refund needs it. */
export interface RefundableOrder {
  orderId: string;
  time: number;
  campaignId: string;
  contactUid: string;
  contactKey: string;
  email: string | null;
  attribution: Attribution | null;
  currency: string;
  total: bigint;
  refunded: bigint;
  cancelledAt: number | null;
  items: StoredItem[];
}

/** Units of a product code given back in a refund. */
export interface RefundLine {
  sku: string;
  quantity: number;
}

export interface RefundRecord {
  refundId: string;
  orderId: string;
  amount: bigint;
  currency: string;
  /** the lines refunded, when the refund named items */
  items: RefundLine[] | null;
  reason: string | null;
  /** true for the refund a cancellation made */
  cancel: boolean;
  createdAt: number;
}

/** What a refund decides, given the locked order and its earlier refunds. */
export type RefundPlan = { amount: bigint; items: RefundLine[] | null };

export interface RefundRequest {
  /** the shop's ID; a retry with it answers the first refund. Generated when absent (always for a cancellation). */
  refundId?: string;
  reason: string | null;
  /** a cancellation: marks the order cancelled (the refund, if anything was left, is part of it) */
  cancel: boolean;
  /** decides the amount; throws to refuse (nothing is written) */
  plan(order: RefundableOrder, earlier: readonly RefundRecord[]): RefundPlan;
}

export type RefundOutcome =
  | { found: false }
  | { found: true; order: RefundableOrder; refund: RefundRecord | null; duplicate: boolean };

type R = Record<string, unknown>;

function toRefund(r: R): RefundRecord {
  return {
    refundId: String(r.refund_id),
    orderId: String(r.order_id),
    amount: big(r.amount),
    currency: String(r.currency),
    items: r.items === null ? null : (JSON.parse(String(r.items)) as RefundLine[]),
    reason: strOrNull(r.reason),
    cancel: num(r.cancel) === 1,
    createdAt: num(r.created_at),
  };
}

const REFUND_SELECT = 'SELECT refund_id, order_id, amount, currency, items, reason, cancel, created_at FROM refunds';

export class RefundRepository {
  constructor(private readonly db: Database) {}

  private async lockOrder(tx: Sql, customerId: string, orderId: string): Promise<RefundableOrder | undefined> {
    const r = await tx.get<R>(
      `SELECT order_id, time, campaign_id, contact_uid, contact_key, email, attribution, currency, total, refunded, cancelled_at
       FROM orders WHERE customer_id = $1 AND order_id = $2 ${this.db.dialect.forUpdate}`,
      [customerId, orderId],
    );
    if (!r) return undefined;
    const items = await tx.all<R>('SELECT sku, name, category, price, quantity FROM order_items WHERE customer_id = $1 AND order_id = $2 ORDER BY line', [
      customerId,
      orderId,
    ]);
    return {
      orderId: String(r.order_id),
      time: num(r.time),
      campaignId: String(r.campaign_id),
      contactUid: String(r.contact_uid),
      contactKey: String(r.contact_key),
      email: strOrNull(r.email),
      attribution: strOrNull(r.attribution) as Attribution | null,
      currency: String(r.currency),
      total: big(r.total),
      refunded: big(r.refunded),
      cancelledAt: r.cancelled_at === null ? null : num(r.cancelled_at),
      items: items.map((i) => ({ sku: String(i.sku), name: strOrNull(i.name), category: strOrNull(i.category), price: big(i.price), quantity: num(i.quantity) })),
    };
  }

  /** An order's refunds, oldest first. */
  list(customerId: string, orderId: string, q: Sql = this.db): Promise<RefundRecord[]> {
    return q
      .all<R>(`${REFUND_SELECT} WHERE customer_id = $1 AND order_id = $2 ORDER BY created_at, refund_id`, [customerId, orderId])
      .then((rows) => rows.map(toRefund));
  }

  /** Refunds (or cancels) an order; a retry of an earlier refund ID answers that refund and changes nothing. */
  refund(customerId: string, orderId: string, req: RefundRequest, now: number): Promise<RefundOutcome> {
    return this.db.transaction(async (tx) => {
      const order = await this.lockOrder(tx, customerId, orderId);
      if (!order) return { found: false };
      const earlier = await this.list(customerId, orderId, tx);
      // a repeated cancellation is a retry of the first
      if (req.cancel && order.cancelledAt !== null) return { found: true, order, refund: earlier.find((r) => r.cancel) ?? null, duplicate: true };
      const retried = req.refundId === undefined ? undefined : earlier.find((r) => r.refundId === req.refundId);
      if (retried) return { found: true, order, refund: retried, duplicate: true };

      const plan = req.plan(order, earlier);
      const fx = new WriteEffects();
      let refund: RefundRecord | null = null;
      if (plan.amount > 0n) {
        refund = {
          refundId: req.refundId ?? randomUUID(),
          orderId,
          amount: plan.amount,
          currency: order.currency,
          items: plan.items,
          reason: req.reason,
          cancel: req.cancel,
          createdAt: now,
        };
        await tx.run(
          'INSERT INTO refunds (customer_id, order_id, refund_id, amount, currency, items, reason, cancel, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
          [customerId, orderId, refund.refundId, refund.amount, refund.currency, refund.items && JSON.stringify(refund.items), refund.reason, req.cancel ? 1 : 0, now],
        );
        fx.stats.refund(customerId, order, plan.amount, order.refunded === 0n ? 1 : 0);
        await this.netProfile(tx, customerId, order, plan.amount);
      }
      const after: RefundableOrder = { ...order, refunded: order.refunded + plan.amount, cancelledAt: req.cancel ? now : order.cancelledAt };
      await tx.run('UPDATE orders SET refunded = $3, cancelled_at = $4 WHERE customer_id = $1 AND order_id = $2', [
        customerId,
        orderId,
        after.refunded,
        after.cancelledAt,
      ]);
      if (refund && (await fx.outbox.wants(tx, customerId, 'order.refunded'))) {
        // an order without an email of its own (its contact came from a click) has the directory's, as in order.placed
        const email = after.email ?? (after.contactUid ? await directoryEmail(tx, customerId, after.contactUid) : null);
        await fx.outbox.enqueue(tx, customerId, 'order.refunded', order.contactKey, orderRefunded({ ...after, email }, refund), now);
      }
      await fx.flush(tx, this.db.dialect);
      return { found: true, order: after, refund, duplicate: false };
    });
  }

  /** The contact's order value goes down by the refund; so does the last order's, when this order is it. */
  private async netProfile(tx: Sql, customerId: string, order: RefundableOrder, amount: bigint): Promise<void> {
    if (!order.contactKey) return;
    await tx.run('UPDATE contact_totals SET total_value = total_value - $4 WHERE customer_id = $1 AND contact_key = $2 AND currency = $3', [
      customerId,
      order.contactKey,
      order.currency,
      amount,
    ]);
    // the last order is told by its time, currency and net value (two orders of one contact
    // at the same millisecond: the one the profile holds has its own net value)
    await tx.run(
      `UPDATE contact_profiles SET last_order_value = last_order_value - $5
       WHERE customer_id = $1 AND contact_key = $2 AND last_order_at = $3 AND last_order_currency = $4 AND last_order_value = $6`,
      [customerId, order.contactKey, order.time, order.currency, amount, order.total - order.refunded],
    );
  }
}
