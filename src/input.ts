// What the shop passes to cart() and order(), checked and normalized into the fields of a
// protocol event (docs/sdk.md; the checks are in check.ts). Nothing with a doubtful value is
// ever sent.
import { fields } from './check.js';

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

/** The fields of a cart (`items` required) or an order (`orderId` and `total` required; `items` defaults to none). */
export const readInput = (type: 'cart' | 'order', v: unknown): Record<string, any> => ({ items: [], ...fields(v, type == 'cart' ? ['items'] : ['orderId', 'total']) });
