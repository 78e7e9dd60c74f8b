// Refunds and cancellations from the shop's backend (docs/advanced.md): partial (an amount,
// or items at the order's own unit prices) or full (what is left), never more than was paid.
// The amount is decided inside the transaction that holds the order locked (store/refunds.ts).
import { HttpError, badRequest, notFound } from '../errors.js';
import { formatMoney, parseMoney } from '../money.js';
import type { RefundableOrder, RefundLine, RefundOutcome, RefundPlan, RefundRecord } from '../store/refunds.js';
import type { Store } from '../store/store.js';

export interface RefundInput {
  amount?: number | string;
  items?: RefundLine[];
  reason?: string;
  refundId?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    refunds: RefundService;
  }
}

/** More than is left to refund: the conflict names the field and what is left. */
const exceeds = (field: string, reason: string) => new HttpError(409, 'refund_exceeds_paid', `${field}: ${reason}`);

const money = (amount: bigint, currency: string) => `${formatMoney(amount)} ${currency}`;

function leftOf(o: RefundableOrder): string {
  return `${money(o.total - o.refunded, o.currency)} left of ${money(o.total, o.currency)} paid`;
}

/**
 * The price of `quantity` more units of `sku`, after the `already` refunded ones: units are
 * taken line by line in the order's line order, each at its own unit price.
 */
function unitsPrice(o: RefundableOrder, sku: string, already: number, quantity: number): bigint {
  let skip = already;
  let want = quantity;
  let price = 0n;
  for (const line of o.items) {
    if (line.sku !== sku || want === 0) continue;
    const skipped = Math.min(skip, line.quantity);
    skip -= skipped;
    const take = Math.min(want, line.quantity - skipped);
    want -= take;
    price += line.price * BigInt(take);
  }
  return price;
}

/** The amount of a refund of `items`, at the order's unit prices; refused beyond the units bought and not yet refunded. */
function itemsPlan(o: RefundableOrder, earlier: readonly RefundRecord[], items: readonly RefundLine[]): bigint {
  const refunded = new Map<string, number>();
  for (const r of earlier) for (const l of r.items ?? []) refunded.set(l.sku, (refunded.get(l.sku) ?? 0) + l.quantity);
  let amount = 0n;
  items.forEach((l, i) => {
    const bought = o.items.filter((line) => line.sku === l.sku).reduce((n, line) => n + line.quantity, 0);
    if (bought === 0) throw badRequest(`items[${i}].sku`, `${JSON.stringify(l.sku)} is not in order ${JSON.stringify(o.orderId)}`);
    const already = refunded.get(l.sku) ?? 0;
    if (l.quantity > bought - already) {
      throw exceeds(`items[${i}].quantity`, `${bought - already} of ${bought} units of ${JSON.stringify(l.sku)} are left to refund`);
    }
    amount += unitsPrice(o, l.sku, already, l.quantity);
    refunded.set(l.sku, already + l.quantity);
  });
  return amount;
}

export class RefundService {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  async refund(customerId: string, orderId: string, input: RefundInput): Promise<RefundOutcome & { found: true }> {
    if (input.amount !== undefined && input.items !== undefined) throw badRequest('items', 'give either amount or items, not both');
    const requested = input.amount === undefined ? undefined : parseMoney(input.amount);
    if (requested !== undefined && requested <= 0n) throw badRequest('amount', 'must be more than 0');
    const plan = (o: RefundableOrder, earlier: readonly RefundRecord[]): RefundPlan => {
      const left = o.total - o.refunded;
      if (left <= 0n) throw exceeds('amount', `nothing is left to refund (${leftOf(o)})`);
      const amount = input.items ? itemsPlan(o, earlier, input.items) : (requested ?? left);
      // (items within their units can still come to more than an earlier refund by amount left)
      if (amount > left) throw exceeds(input.items ? 'items' : 'amount', `${money(amount, o.currency)} is more than is left to refund (${leftOf(o)})`);
      return { amount, items: input.items ?? null };
    };
    return this.found(
      orderId,
      await this.store.refunds.refund(customerId, orderId, { refundId: input.refundId, reason: input.reason ?? null, cancel: false, plan }, this.clock()),
    );
  }

  /** Refunds what is left and marks the order cancelled; a repeated cancel changes nothing. */
  async cancel(customerId: string, orderId: string, reason: string | null): Promise<RefundOutcome & { found: true }> {
    // a backend copy that lowered the total after refunds leaves nothing (never a negative refund)
    const plan = (o: RefundableOrder): RefundPlan => ({ amount: o.total > o.refunded ? o.total - o.refunded : 0n, items: null });
    return this.found(orderId, await this.store.refunds.refund(customerId, orderId, { reason, cancel: true, plan }, this.clock()));
  }

  private found(orderId: string, outcome: RefundOutcome): RefundOutcome & { found: true } {
    if (!outcome.found) throw notFound('orderId', `no such order: ${JSON.stringify(orderId)}`);
    return outcome;
  }
}
