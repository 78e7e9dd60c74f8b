// GET /upages/ti.php, the Suite's legacy image pixel (docs/legacy.md), as protocol events.
// Pure: the raw query string and the time it arrived in; one cart or order event, or a
// rejection naming the parameter and the reason. Decisions are in docs/legacy.md.
import { createHash } from 'node:crypto';
import { CUSTOMER_ID_PATTERN, MONEY_PATTERN } from '../../../src/protocol/constants.js';
import type { Attribution, CartEvent, Item, Money, OrderEvent } from '../../../src/protocol/schema.js';
import { splitLegacyQuery, type FieldKind } from './query.js';

export type TiPhpResult =
  | { ok: true; customerId: string; event: CartEvent | OrderEvent }
  | { ok: false; customerId: string | null; reason: string };

const FIELDS = new Map<string, FieldKind>([
  ['ems_customer', 'closed'],
  ['ems_visitor', 'closed'],
  ['ems_session', 'closed'],
  ['ems_campaign', 'closed'],
  ['ems_action', 'closed'],
  ['total', 'closed'],
  ['tax', 'closed'],
  ['shipping', 'closed'],
  ['price[]', 'closed'],
  ['quantity[]', 'closed'],
  ['order', 'text'],
  ['city', 'text'],
  ['country', 'text'],
  ['Country', 'text'],
  ['code[]', 'text'],
  ['category[]', 'text'],
  ['productname[]', 'text'],
]);
const ITEM_FIELDS = ['code', 'category', 'productname', 'price', 'quantity'] as const;
type ItemField = (typeof ITEM_FIELDS)[number];

const CUSTOMER_ID = new RegExp(CUSTOMER_ID_PATTERN);
const MONEY = new RegExp(MONEY_PATTERN);
const QUANTITY = /^[0-9]{1,9}$/;

class Rejection extends Error {}
function fail(field: string, reason: string): never {
  throw new Rejection(`${field}: ${reason}`);
}

/** A stable short hash: event IDs and cart IDs derived from content, so a reload is a duplicate. */
const digest = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);

function money(field: string, value: string | undefined): Money | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (!MONEY.test(v)) fail(field, `${JSON.stringify(v)} is not a number with a dot decimal and no thousands separator`);
  return v;
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

/** The parameters of one hit: scalars (the last one wins, as in PHP) and repeated `name[]` slots. */
function collect(query: string) {
  const scalars = new Map<string, string>();
  const slots: Record<ItemField, string[]> = { code: [], category: [], productname: [], price: [], quantity: [] };
  /** the known parameters in order: what identifies a hit (a cache buster or tracking parameter does not) */
  const known: [string, string][] = [];
  for (const { name, value, known: isKnown } of splitLegacyQuery(query, (n) => FIELDS.get(n))) {
    if (!isKnown) continue;
    known.push([name, value]);
    if (name.endsWith('[]')) slots[name.slice(0, -2) as ItemField].push(value);
    else scalars.set(name === 'Country' ? 'country' : name, value);
  }
  return { get: (name: string) => scalars.get(name)?.trim() || undefined, slots, known };
}

/** Slot i of every `name[]` list is item i; a slot where every field is empty is no item. */
function items(slots: Record<ItemField, string[]>): Item[] {
  const count = Math.max(...ITEM_FIELDS.map((f) => slots[f].length));
  const out: Item[] = [];
  for (let i = 0; i < count; i++) {
    const [code, category, name, price, quantity] = ITEM_FIELDS.map((f) => slots[f][i]?.trim() ?? '');
    if (!code && !category && !name && !price && !quantity) continue;
    if (quantity && !QUANTITY.test(quantity)) fail(`quantity[${i}]`, `${JSON.stringify(quantity)} is not a whole number`);
    const item: Item = {
      // The old pixel made every item field optional; the protocol needs a code and a price.
      sku: code || '-',
      price: money(`price[${i}]`, price) ?? '0',
      quantity: quantity ? Number(quantity) : 1,
    };
    if (name) item.name = name;
    if (category) item.category = category;
    out.push(item);
  }
  return out;
}

export function parseTiPhp(query: string, receivedAt: number): TiPhpResult {
  const p = collect(query);
  const rawCustomer = p.get('ems_customer');
  const customerId = rawCustomer && CUSTOMER_ID.test(rawCustomer) ? rawCustomer : null;
  try {
    if (!rawCustomer) fail('ems_customer', 'missing; the pixel must name the customer (account) ID');
    if (!customerId) fail('ems_customer', `${JSON.stringify(rawCustomer)} is not a customer ID (letters, digits, _ and -, at most 64)`);
    const action = p.get('ems_action');
    if (action && action !== 'purchase') fail('ems_action', `${JSON.stringify(action)} is not tracked; only "purchase" is`);

    const session = p.get('ems_session');
    const visitor = p.get('ems_visitor') ?? session ?? `ti-${digest(p.known)}`;
    const emst = p.get('ems_campaign');
    const attribution: Attribution | undefined = emst ? { emst, at: receivedAt } : undefined;
    const common = {
      // Pairs the Order Confirmation hit with the Thank You hit of the same shopper.
      cartId: `ti-${digest([customerId, visitor, session ?? null])}`,
      time: receivedAt,
      visitor,
      ...optional('session', session),
      ...optional('attribution', attribution),
      items: items(p.slots),
      tax: money('tax', p.get('tax')) ?? '0',
      shipping: money('shipping', p.get('shipping')) ?? '0',
      ...optional('city', p.get('city')),
      ...optional('country', p.get('country')),
    };
    const orderId = p.get('order');
    const total = money('total', p.get('total'));
    let event: CartEvent | OrderEvent;
    if (orderId) {
      if (total === undefined) fail('total', 'missing; a Thank You page (with `order`) must send the order total');
      event = { type: 'order', id: '', orderId, total, ...common };
    } else {
      event = { type: 'cart', id: '', ...optional('total', total), ...common };
    }
    // The ID hashes the content but not the arrival time, so a reloaded page is a duplicate.
    event.id = `ti-${digest([customerId, { ...event, time: 0, attribution: attribution && { emst } }])}`;
    return { ok: true, customerId, event };
  } catch (err) {
    if (err instanceof Rejection) return { ok: false, customerId, reason: err.message };
    throw err;
  }
}
