// GET /upages/ti.php, the Suite's legacy image pixel (docs/legacy.md), as protocol events.
// From the raw query string and the time it arrived in: one cart or order event, or a
// rejection naming the parameter and the reason. Pure but for the random event ID of a hit
// that names no visitor or session. Decisions are in docs/legacy.md.
import { createHash, randomUUID } from 'node:crypto';
import { CUSTOMER_ID_PATTERN, LIMITS, MONEY_PATTERN, TEXT_PATTERN } from '../../../src/protocol/constants.js';
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
  ['order', 'label'],
  ['city', 'label'],
  ['country', 'label'],
  ['Country', 'label'],
]);
/** The item lists, and how each splits: codes, categories and product names may hold a raw `&`. */
const ITEM_FIELDS = { code: 'text', category: 'text', productname: 'text', price: 'closed', quantity: 'closed' } as const;
type ItemField = keyof typeof ITEM_FIELDS;
/** A parameter of an item list, readable or not: its field, then what follows the field's name. */
const ITEM_PARAM = /^(code|category|productname|price|quantity)(\[.*)?$/s;

const CUSTOMER_ID = new RegExp(CUSTOMER_ID_PATTERN);
const MONEY = new RegExp(MONEY_PATTERN);
const QUANTITY = /^[0-9]{1,9}$/;
const TEXT = new RegExp(TEXT_PATTERN);

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

/**
 * The email link's `emst`. One the protocol would refuse (over 512 characters, control
 * characters) is dropped, as emstrack.js drops it: a mangled link must not sink the order.
 */
const campaign = (emst: string | undefined) => (emst && emst.length <= LIMITS.text && TEXT.test(emst) ? emst : undefined);

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

/** How a parameter's value splits (query.ts); an item list's parameter is known even unreadable, so it is refused, not lost. */
function kindOf(name: string): FieldKind | undefined {
  const item = ITEM_PARAM.exec(name);
  return item ? ITEM_FIELDS[item[1] as ItemField] : FIELDS.get(name);
}

/** The slot an item parameter fills: `[]` the one after the highest so far (as PHP numbers it), `[3]` slot 3 (http_build_query). */
function slotOf(list: string[], suffix: string | undefined): number | undefined {
  if (suffix === '[]') return list.length;
  const digits = /^\[([0-9]{1,3})\]$/.exec(suffix ?? '')?.[1];
  return digits !== undefined && Number(digits) < LIMITS.items ? Number(digits) : undefined;
}

/**
 * The parameters of one hit: scalars (the last one wins, as in PHP), the item lists by slot,
 * and the first item parameter that names no slot: it refuses the hit, so no item is lost unseen.
 */
function collect(query: string) {
  const scalars = new Map<string, string>();
  const slots: Record<ItemField, string[]> = { code: [], category: [], productname: [], price: [], quantity: [] };
  let unreadable: string | undefined;
  for (const { name, value, known } of splitLegacyQuery(query, kindOf)) {
    if (!known) continue;
    const item = ITEM_PARAM.exec(name);
    if (!item) {
      scalars.set(name === 'Country' ? 'country' : name, value);
      continue;
    }
    const list = slots[item[1] as ItemField];
    const slot = slotOf(list, item[2]);
    if (slot === undefined) unreadable ??= name;
    else list[slot] = value;
  }
  return { get: (name: string) => scalars.get(name)?.trim() || undefined, slots, unreadable };
}

/** Slot i of every list is item i; a slot where every field is empty is no item. */
function items({ slots, unreadable }: ReturnType<typeof collect>): Item[] {
  if (unreadable) {
    const field = ITEM_PARAM.exec(unreadable)![1];
    fail(unreadable, `not an item slot; write ${field}[] or ${field}[0] to ${field}[${LIMITS.items - 1}]`);
  }
  const fields = Object.keys(ITEM_FIELDS) as ItemField[];
  const count = Math.max(...fields.map((f) => slots[f].length));
  const out: Item[] = [];
  for (let i = 0; i < count; i++) {
    const [code, category, name, price, quantity] = fields.map((f) => slots[f][i]?.trim() ?? '');
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

    const lines = items(p);
    const emst = campaign(p.get('ems_campaign'));
    const session = p.get('ems_session');
    const shopper = p.get('ems_visitor') ?? session;
    // Without either: what both pages of a checkout send alike (not the order, amounts or place).
    const visitor = shopper ?? `ti-${digest([emst ?? null, lines])}`;
    const attribution: Attribution | undefined = emst ? { emst, at: receivedAt } : undefined;
    const common = {
      // Pairs the Order Confirmation hit with the Thank You hit of the same shopper.
      cartId: `ti-${digest([customerId, visitor, session ?? null])}`,
      time: receivedAt,
      visitor,
      ...optional('session', session),
      ...optional('attribution', attribution),
      items: lines,
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
    // The ID hashes the content but not the arrival time, so a reloaded page is a duplicate. A
    // hit that names no shopper gets an ID of its own: two shoppers' identical carts are two
    // hits, not one dropped as a duplicate (a reloaded order is still one order per order ID).
    event.id = shopper
      ? `ti-${digest([customerId, { ...event, time: 0, attribution: attribution && { emst } }])}`
      : `ti-${randomUUID().replaceAll('-', '')}`;
    return { ok: true, customerId, event };
  } catch (err) {
    if (err instanceof Rejection) return { ok: false, customerId, reason: err.message };
    throw err;
  }
}
