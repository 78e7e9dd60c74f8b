// A cart's items are kept as JSON on its row (latest contents win), prices as exact strings.
import type { StoredItem } from './types.js';

export function cartItemsJson(items: readonly StoredItem[]): string {
  return JSON.stringify(items.map((i) => ({ ...i, price: i.price.toString() })));
}

export function parseCartItems(text: string): StoredItem[] {
  return (JSON.parse(text) as (Omit<StoredItem, 'price'> & { price: string })[]).map((i) => ({
    sku: i.sku,
    name: i.name ?? null,
    category: i.category ?? null,
    price: BigInt(i.price),
    quantity: i.quantity,
  }));
}
