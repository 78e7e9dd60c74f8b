// Items as JSON keeps them (a cart's row, where the latest contents win; a logged event):
// prices as exact decimal strings.
import type { StoredItem } from './types.js';

export type TextItem = Omit<StoredItem, 'price'> & { price: string };

/** The five fields a stored item has, named: the text form of an item is the same wherever it is kept. */
export function itemsAsText(items: readonly StoredItem[]): TextItem[] {
  return items.map((i) => ({ sku: i.sku, name: i.name, category: i.category, price: i.price.toString(), quantity: i.quantity }));
}

export function itemsFromText(items: readonly TextItem[]): StoredItem[] {
  return items.map((i) => ({
    sku: i.sku,
    name: i.name ?? null,
    category: i.category ?? null,
    price: BigInt(i.price),
    quantity: i.quantity,
  }));
}

export function cartItemsJson(items: readonly StoredItem[]): string {
  return JSON.stringify(itemsAsText(items));
}

export function parseCartItems(text: string): StoredItem[] {
  return itemsFromText(JSON.parse(text) as TextItem[]);
}
