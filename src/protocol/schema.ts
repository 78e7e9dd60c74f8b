// One schema per wire message. The collector validates with these (TypeBox, compiled);
// the SDK imports only the derived types, so the schema code stays out of the bundle.
import { Type, type Static } from '@sinclair/typebox';
import { CART_ID_PATTERN, CURRENCY_PATTERN, CUSTOMER_ID_PATTERN, EMAIL_PATTERN, ID_PATTERN, LIMITS, MONEY_PATTERN, PATH_PATTERN, PROTOCOL_VERSION, TEXT_PATTERN } from './constants.js';

const Text = (maxLength: number, description: string) => Type.String({ maxLength, pattern: TEXT_PATTERN, description });
const Id = (description: string, pattern = ID_PATTERN) => Type.String({ minLength: 1, maxLength: LIMITS.id, pattern, description });

export const Money = Type.Union(
  [Type.Number({ minimum: -1e13, maximum: 1e13 }), Type.String({ pattern: MONEY_PATTERN })],
  { description: 'a number, or a string with a dot decimal ("2999.00"); no thousands separator' },
);
export type Money = Static<typeof Money>;

export const Currency = Type.String({ pattern: CURRENCY_PATTERN, description: 'ISO 4217 code, e.g. EUR' });

export const Item = Type.Object(
  {
    sku: Id('product code'),
    name: Type.Optional(Text(LIMITS.text, 'product name')),
    category: Type.Optional(Text(LIMITS.text, 'product category')),
    price: Money,
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'units; defaults to 1' }),
  },
  { additionalProperties: false },
);
export type Item = Static<typeof Item>;

/** Campaign parameters as captured from the landing URL (docs/sdk.md), plus when they were captured. */
export const Attribution = Type.Object(
  {
    emst: Type.Optional(Text(LIMITS.text, 'legacy Suite redirect parameter')),
    sc_src: Type.Optional(Text(LIMITS.text, 'Emarsys link source, email_<campaignId>')),
    sc_uid: Type.Optional(Text(LIMITS.text, 'contact UID')),
    sc_lid: Type.Optional(Text(LIMITS.text, 'link ID')),
    sc_llid: Type.Optional(Text(LIMITS.text, 'launch list ID')),
    sc_eh: Type.Optional(Text(LIMITS.text, 'email hash')),
    sc_customer: Type.Optional(Text(LIMITS.text, 'Emarsys customer')),
    utm_source: Type.Optional(Text(LIMITS.text, 'utm_source')),
    utm_medium: Type.Optional(Text(LIMITS.text, 'utm_medium')),
    utm_campaign: Type.Optional(Text(LIMITS.text, 'utm_campaign')),
    at: Type.Integer({ minimum: 0, description: 'epoch ms when the click was captured' }),
  },
  { additionalProperties: false },
);
export type Attribution = Static<typeof Attribution>;

/** What every event carries. */
const Envelope = {
  id: Id('unique event ID; the collector de-duplicates on it'),
  time: Type.Integer({ minimum: 0, description: 'epoch ms when the event was made in the browser' }),
  visitor: Id('first-party visitor ID'),
  session: Type.Optional(Id('session ID')),
};

/** What a cart and an order share. */
const Common = {
  ...Envelope,
  attribution: Type.Optional(Attribution),
  items: Type.Array(Item, { maxItems: LIMITS.items }),
  tax: Type.Optional(Money),
  shipping: Type.Optional(Money),
  currency: Type.Optional(Currency),
  city: Type.Optional(Text(LIMITS.text, 'city')),
  country: Type.Optional(Text(LIMITS.text, 'country')),
  email: Type.Optional(Type.String({ maxLength: LIMITS.email, pattern: EMAIL_PATTERN, description: 'contact email' })),
};

/** Order Confirmation page: starts the abandoned-cart clock. */
export const CartEvent = Type.Object(
  { type: Type.Literal('cart'), cartId: Id('cart ID that ties the cart to its order', CART_ID_PATTERN), total: Type.Optional(Money), ...Common },
  { additionalProperties: false },
);
export type CartEvent = Static<typeof CartEvent>;

/** Thank You page: records the order and closes the cart. */
export const OrderEvent = Type.Object(
  {
    type: Type.Literal('order'),
    orderId: Id('order ID; one order per customer and order ID'),
    cartId: Type.Optional(Id('cart ID of the Order Confirmation page', CART_ID_PATTERN)),
    total: Money,
    ...Common,
  },
  { additionalProperties: false },
);
export type OrderEvent = Static<typeof OrderEvent>;

/**
 * A landing on a campaign link, once per click: the collector counts it for its campaign and
 * attributes later orders and carts of the same visitor or contact that come without one.
 */
export const ClickEvent = Type.Object(
  {
    type: Type.Literal('click'),
    ...Envelope,
    attribution: Attribution,
    path: Type.Optional(
      Type.String({ maxLength: LIMITS.text, pattern: PATH_PATTERN, description: 'landing page path, from "/", without query string or fragment' }),
    ),
  },
  { additionalProperties: false },
);
export type ClickEvent = Static<typeof ClickEvent>;

/** What cart() and order() send. */
export const TrackEvent = Type.Union([CartEvent, OrderEvent]);
export type TrackEvent = Static<typeof TrackEvent>;

/** Any event of a batch. */
export const WireEvent = Type.Union([CartEvent, OrderEvent, ClickEvent]);
export type WireEvent = Static<typeof WireEvent>;

export const Source = Type.Union([Type.Literal('sdk'), Type.Literal('emstrack')]);

/**
 * Body of POST /v1/events (sent as text/plain to avoid a CORS preflight).
 * `events` is validated one by one, so one bad event never sinks the good ones.
 */
/** A customer (account) ID, wherever one is given. */
export const CustomerId = Type.String({ minLength: 1, maxLength: 64, pattern: CUSTOMER_ID_PATTERN, description: 'customer (account) ID' });

export const Batch = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    customerId: CustomerId,
    source: Type.Optional(Source),
    events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: LIMITS.batchEvents }),
  },
  { additionalProperties: false },
);
/** `E`: the events a client sends (the legacy emstrack.js sends no clicks). */
export type Batch<E extends WireEvent = WireEvent> = Omit<Static<typeof Batch>, 'events'> & { events: E[] };

/** Answer of POST /v1/events. */
export const BatchResult = Type.Object({
  accepted: Type.Integer({ description: 'events stored now' }),
  duplicates: Type.Integer({ description: 'events already stored (by event ID or order ID): safe to drop' }),
  rejected: Type.Array(
    Type.Object({ index: Type.Integer(), field: Type.String(), reason: Type.String() }),
    { description: 'events refused for good, by index in the batch; do not retry' },
  ),
});
export type BatchResult = Static<typeof BatchResult>;
