// POST /orders/:orderId/refunds and /orders/:orderId/cancel (docs/advanced.md), with an API
// token or session of the customer's admin or ecommerce-admin, like purchases. A refund
// answers 201 when made now, 200 with `duplicate: true` for a retry of its refundId.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Item, LIMITS, Money, OrderEvent, TEXT_PATTERN } from '../../../src/protocol/index.js';
import { moneyToNumber } from '../money.js';
import type { RefundableOrder, RefundOutcome } from '../store/refunds.js';
import { ErrorBody } from './errors.js';
import { CustomerParams } from './reports.js';

const OrderParams = Type.Object({ customerId: CustomerParams.properties.customerId, orderId: Type.String({ minLength: 1, maxLength: 512, pattern: TEXT_PATTERN }) });

const Reason = Type.String({ minLength: 1, maxLength: LIMITS.text, pattern: TEXT_PATTERN, description: 'why, for the shop’s own records' });
const RefundLine = Type.Object({ sku: Item.properties.sku, quantity: Item.properties.quantity }, { additionalProperties: false });

const RefundBody = Type.Object(
  {
    amount: Type.Optional(Money),
    items: Type.Optional(Type.Array(RefundLine, { minItems: 1, maxItems: LIMITS.items })),
    reason: Type.Optional(Reason),
    refundId: Type.Optional(OrderEvent.properties.orderId),
  },
  { additionalProperties: false },
);
const CancelBody = Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false });

const Refund = Type.Object({
  refundId: Type.String(),
  amount: Type.Number(),
  currency: Type.String(),
  items: Type.Union([Type.Array(RefundLine), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  cancel: Type.Boolean(),
  createdAt: Type.String(),
});
const Answer = Type.Object({
  orderId: Type.String(),
  duplicate: Type.Boolean(),
  /** null for a cancellation that found nothing left to refund */
  refund: Type.Union([Refund, Type.Null()]),
  currency: Type.String(),
  total: Type.Number(),
  refunded: Type.Number(),
  netTotal: Type.Number(),
  cancelledAt: Type.Union([Type.String(), Type.Null()]),
});

const iso = (ms: number) => new Date(ms).toISOString();

function answer({ order: o, refund: r, duplicate }: RefundOutcome & { found: true }): Static<typeof Answer> {
  return {
    orderId: o.orderId,
    duplicate,
    refund: r && { ...r, amount: moneyToNumber(r.amount), createdAt: iso(r.createdAt) },
    currency: o.currency,
    ...totals(o),
    cancelledAt: o.cancelledAt === null ? null : iso(o.cancelledAt),
  };
}

const totals = (o: RefundableOrder) => ({ total: moneyToNumber(o.total), refunded: moneyToNumber(o.refunded), netTotal: moneyToNumber(o.total - o.refunded) });

type Req<B> = FastifyRequest<{ Params: Static<typeof OrderParams>; Body: B }>;

export async function refundRoutes(app: FastifyInstance): Promise<void> {
  const options = (body: typeof RefundBody | typeof CancelBody) => ({
    config: { roles: ['admin', 'ecommerce-admin'] as const },
    schema: { params: OrderParams, body, response: { 200: Answer, 201: Answer, '4xx': ErrorBody } },
  });
  // up to 500 item lines, like a purchase
  app.post('/orders/:orderId/refunds', { ...options(RefundBody), bodyLimit: LIMITS.bodyBytes }, async (req: Req<Static<typeof RefundBody>>, reply: FastifyReply) => {
    const outcome = await app.refunds.refund(req.params.customerId, req.params.orderId, req.body);
    return reply.code(outcome.duplicate ? 200 : 201).send(answer(outcome));
  });
  // a cancel needs no body: `curl -X POST …/cancel` is enough
  app.post(
    '/orders/:orderId/cancel',
    {
      ...options(CancelBody),
      preValidation: async (req: Req<Static<typeof CancelBody> | undefined>) => {
        req.body ??= {};
      },
    },
    async (req: Req<Static<typeof CancelBody>>) => answer(await app.refunds.cancel(req.params.customerId, req.params.orderId, req.body.reason ?? null)),
  );
}
