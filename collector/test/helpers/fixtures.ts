// Events, customers, users and clocks for the collector tests.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/app.js';
import { AuthService } from '../../src/auth/service.js';
import type { Store } from '../../src/store/store.js';
import { toRecord } from '../../src/ingest/normalize.js';
import type { Customer, EventRecord, Role } from '../../src/store/types.js';
import { checkEvent } from '../../src/validation/events.js';

export const T0 = Date.UTC(2025, 0, 15, 10, 0, 0);
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export const uid = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;

/** A settable clock: the collector's notion of now. */
export function testClock(start = T0) {
  let now = start;
  return {
    clock: () => now,
    set(t: number) {
      now = t;
    },
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
  };
}

type Obj = Record<string, unknown>;

export function item(sku = 'SKU-1', price: number | string = 10, quantity = 1, extra: Obj = {}): Obj {
  return { sku, name: `Product ${sku}`, category: 'Cat', price, quantity, ...extra };
}

/** An event of `type` with a fresh `idKey`, from the email campaign `campaign` (null for direct traffic). */
function event(
  type: 'order' | 'cart',
  idKey: 'orderId' | 'cartId',
  idPrefix: string,
  attribution: (campaign: string, contact: string) => Obj,
  e: Obj & { campaign?: string | null; contact?: string },
): Obj {
  const { campaign = 'C1', contact = 'u1', ...rest } = e;
  return {
    type,
    id: uid('ev'),
    [idKey]: uid(idPrefix),
    time: T0,
    visitor: 'v1',
    total: '29.90',
    items: [item('SKU-1', '9.95', 2), item('SKU-2', '10.00', 1)],
    ...(campaign === null ? {} : { attribution: { ...attribution(campaign, contact), at: T0 - DAY } }),
    ...rest,
  };
}

/** An order event from the email campaign `campaign` (null for direct traffic). */
export function order(o: Obj & { orderId?: string; campaign?: string | null; contact?: string; time?: number } = {}): Obj {
  return event('order', 'orderId', 'O', (campaign, contact) => ({ emst: `${campaign}.${contact}` }), o);
}

export function cart(c: Obj & { cartId?: string; campaign?: string | null; contact?: string; time?: number } = {}): Obj {
  return event('cart', 'cartId', 'K', (campaign, contact) => ({ sc_src: `email_${campaign}`, sc_uid: contact }), c);
}

export function batch(customerId: string, events: unknown[], extra: Obj = {}): string {
  return JSON.stringify({ v: 1, customerId, events, ...extra });
}

export async function addCustomer(store: Store, currency = 'EUR', abandonAfterSeconds: number | null = null): Promise<string> {
  const customerId = `c${randomBytes(5).toString('hex')}`;
  await store.customers.add({ customerId, name: `Shop ${customerId}`, currency, abandonAfterSeconds }, T0);
  return customerId;
}

export async function addUser(store: Store, customerId: string, role: Role = 'ecommerce-admin', password = 'correct horse battery') {
  const made = await new AuthService(store, () => T0).createUser(customerId, `${role}-${randomBytes(3).toString('hex')}@example.com`, role, password);
  return { email: made.user.email, password, token: made.token };
}

/** An app on a shared store with an injected clock and no sweep or webhook timer. */
export async function testApp(store: Store, options: Partial<AppOptions> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ store, sweepIntervalMs: 0, outboxIntervalMs: 0, ...options });
  await app.ready();
  return app;
}

/** A wire event, checked and normalised as ingest does, for tests that write to the store directly. */
export function eventRecord(customer: Customer, raw: Record<string, unknown>, receivedAt = T0 + MINUTE): EventRecord {
  const checked = checkEvent(raw, 'event');
  if (!checked.ok) throw new Error(`bad fixture: ${checked.error.field} ${checked.error.reason}`);
  return toRecord(checked.value, customer, receivedAt, 'sdk');
}
