// What the shop passes to cart() and order(), checked and normalized into the fields of a
// protocol event (SPEC 3.2). Nothing with a doubtful value is ever sent.
import { MONEY_PATTERN } from './protocol/constants.js';
import type { CartEvent, OrderEvent } from './protocol/schema.js';
import { type Check, type Fields, fail, fields, id, must, show, text } from './check.js';

/** A number, or a string with a dot decimal: `2999`, `"2999.00"`. Never `"2,999.00"`. */
export type MoneyInput = number | string;

export interface ItemInput {
  /** product code */
  sku: string | number;
  name?: string;
  category?: string;
  /** unit price */
  price: MoneyInput;
  /** whole units; 1 when absent */
  quantity?: number | string;
}

interface Details {
  tax?: MoneyInput;
  shipping?: MoneyInput;
  /** ISO 4217 code; lowercase is taken and sent uppercase; absent: the customer's default */
  currency?: string;
  city?: string;
  country?: string;
  email?: string;
}

/** Order Confirmation page. */
export interface CartInput extends Details {
  /** generated and kept by the SDK when absent */
  cartId?: string | number;
  items: ItemInput[];
  total?: MoneyInput;
}

/** Thank You page. */
export interface OrderInput extends Details {
  orderId: string | number;
  items?: ItemInput[];
  total: MoneyInput;
}

type Built<E> = Omit<E, 'type' | 'id' | 'time' | 'visitor' | 'session' | 'attribution' | 'cartId'>;
export type CartFields = Built<CartEvent> & { cartId?: string };
export type OrderFields = Built<OrderEvent>;

const MONEY = new RegExp(MONEY_PATTERN);

// Strings stay strings, so that "19.90" reaches the collector as exactly 19.90.
const amount = must(
  (v) => (typeof v == 'number' ? Math.abs(v) <= 1e13 : MONEY.test(v) && typeof v == 'string'),
  'an amount: a number or a dot decimal like "2999.00"',
);
const money: Check = (v, f) =>
  /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(v as string) && typeof v == 'string'
    ? fail(f, `${show(v)} uses a thousands separator; use a dot decimal like "${v.replace(/,/g, '')}"`)
    : amount(v, f);

const ITEM: Fields = {
  sku: id,
  name: text,
  category: text,
  price: money,
  quantity: must((v) => /^[1-9]\d{0,5}$|^1000000$/.test(v) && /string|number/.test(typeof v), 'a whole number from 1 to 1000000', Number),
};

const DETAILS: Fields = {
  items: (v, f) =>
    Array.isArray(v)
      ? v.map((item, i) => ({ quantity: 1, ...fields(item, ITEM, ['sku', 'price'], `${f}[${i}]`, `${f}[${i}].`) }))
      : fail(f, 'must be a list'),
  total: money,
  tax: money,
  shipping: money,
  currency: must((v) => /^[a-z]{3}$/i.test(v) && typeof v == 'string', 'an ISO 4217 code like "EUR"', (v: string) => v.toUpperCase()),
  city: text,
  country: text,
  email: text,
};

export const readCart = (v: unknown) => fields(v, { ...DETAILS, cartId: id }, ['items'], 'cart') as unknown as CartFields;

export const readOrder = (v: unknown) =>
  ({ items: [], ...fields(v, { ...DETAILS, orderId: id }, ['orderId', 'total'], 'order') }) as unknown as OrderFields;
