// Emarsys Web Extend's ScarabQueue (docs/integrations.md): the commands of a page are collected
// until its `go`; then a `purchase` becomes order(), else a `cart` that changed becomes cart().
// Web Extend's item `price` is the line total: turned into our unit price exactly (decimal.ts).
import { warn } from '../log.js';
import { sum, unitPrices } from './decimal.js';
import { call, watch } from './queue.js';

/** Where the last cart sent is kept (per tab), so that a page view with the same cart sends nothing. */
const LAST = '_et_wx';

/** The commands since the last `go`. */
let page: { cart?: any[]; purchase?: any; email?: string } = {};

/** Web Extend lines as our items and their total; undefined (warned) when a line cannot be converted exactly. */
function lines(list: unknown, command: string): { items: object[]; total: string } | undefined {
  const out: object[] = [];
  const totals: unknown[] = [];
  for (const [n, i] of ([] as any[]).concat(list || []).entries()) {
    const units = unitPrices(i.price, i.quantity);
    if (!units) {
      warn(`ScarabQueue ${command}: items[${n}]: price ${JSON.stringify(i.price)} for quantity ${JSON.stringify(i.quantity)} is not a line total like "59.97" for a whole quantity`);
      return;
    }
    totals.push(i.price);
    for (const [price, quantity] of units) out.push({ sku: i.item, price, quantity });
  }
  return { items: out, total: sum(totals)! };
}

/** Reads and writes the last cart sent; storage that refuses counts as empty. */
const last = (v?: string): string | null | void => {
  try {
    return v == null ? sessionStorage.getItem(LAST) : sessionStorage.setItem(LAST, v);
  } catch {}
};

function go(): void {
  const { cart, purchase, email } = page;
  page = {};
  if (purchase) {
    const order = lines(purchase.items, 'purchase');
    if (order) call('order', { ...order, orderId: purchase.orderId, email });
    last('[]');
  } else if (cart) {
    const c = lines(cart, 'cart');
    const key = JSON.stringify(c?.items);
    // An empty cart is sent only to empty one that was sent before (a cart with no items is never abandoned).
    if (c && key != (last() || '[]')) {
      call('cart', { ...c, email });
      last(key);
    }
  }
}

function handle([command, arg]: [string, any]): void {
  if (command == 'go') go();
  if (command == 'cart') page.cart = arg;
  if (command == 'purchase') page.purchase = arg;
  if (command == 'setEmail') page.email = arg;
  // setCustomerId is Web Extend's own customer number: our events have no field for it.
}

/** Starts reading the ScarabQueue: what was pushed before, then every push. */
export const watchWebExtend = () => watch('ScarabQueue', handle);
