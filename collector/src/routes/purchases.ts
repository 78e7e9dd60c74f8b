// POST /purchases: a purchase reported by the shop's backend (docs/advanced.md), with an API token of
// the customer's admin or ecommerce-admin. 201 when stored now, 200 with `duplicate: true`
// when the order was already stored (from the browser or an earlier call).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Attribution, Currency, Item, LIMITS, Money, OrderEvent } from '../../../src/protocol/index.js';
import { Email } from '../directory/entries.js';
import { HttpError } from '../errors.js';
import { ErrorBody } from './errors.js';
import { CustomerParams } from './reports.js';

const PurchaseItem = Type.Object({ ...Item.properties, quantity: Type.Optional(Item.properties.quantity) }, { additionalProperties: false });

const PurchaseBody = Type.Object(
  {
    email: Email,
    orderId: OrderEvent.properties.orderId,
    total: Type.Optional(Money),
    currency: Type.Optional(Currency),
    items: Type.Optional(Type.Array(PurchaseItem, { maxItems: LIMITS.items })),
    emst: Attribution.properties.emst,
    time: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch milliseconds' })),
    // the SDK's cart and visitor IDs (its _et_cart and _et_vid cookies), read by the shop's
    // backend at checkout: the cart is closed, never reported abandoned
    cartId: OrderEvent.properties.cartId,
    visitor: Type.Optional(OrderEvent.properties.visitor),
  },
  { additionalProperties: false },
);

const Answer = Type.Object({
  orderId: Type.String(),
  duplicate: Type.Boolean(),
  campaignId: Type.Union([Type.String(), Type.Null()]),
  contactUid: Type.Union([Type.String(), Type.Null()]),
  attribution: Type.Union([Type.Literal('emst'), Type.Literal('click'), Type.Literal('none'), Type.Null()]),
});

export async function purchaseRoutes(app: FastifyInstance): Promise<void> {
  app.post(
    '/purchases',
    {
      config: { roles: ['admin', 'ecommerce-admin'] },
      bodyLimit: LIMITS.bodyBytes,
      schema: { params: CustomerParams, body: PurchaseBody, response: { 200: Answer, 201: Answer, '4xx': ErrorBody } },
    },
    async (req: FastifyRequest<{ Params: Static<typeof CustomerParams>; Body: Static<typeof PurchaseBody> }>, reply: FastifyReply) => {
      const customer = await app.store.customers.get(req.params.customerId);
      if (!customer) throw new HttpError(404, 'unknown_customer', 'customerId: no such customer');
      const result = await app.purchases.record(customer, req.body);
      return reply.code(result.duplicate ? 200 : 201).send(result);
    },
  );
}
