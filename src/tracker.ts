// The tracker (SPEC 3.2): cart(), order(), consent(), flush() for one shop. Nothing throws
// into the page: cart() and order() are async, so whatever goes wrong becomes a rejection,
// and every refusal is reported in the console where it is made (check.ts `fail`).
import Cookies from 'js-cookie';
import { LEGACY_VISITOR_COOKIE, PROTOCOL_VERSION } from './protocol/constants.js';
import type { TrackEvent } from './protocol/schema.js';
import { createCampaign } from './campaign.js';
import { fail, show } from './check.js';
import { uuid } from './id.js';
import { type CartInput, type OrderInput, readCart, readOrder } from './input.js';
import { debugLog, warn } from './log.js';
import { type Consent, type Options, readOptions } from './options.js';
import { createQueue } from './queue.js';
import { CART, ORDERS, VISITOR, createStore, readJson } from './storage.js';
import { send, type TransportEnv } from './transport.js';

/** How cart() or order() settled: delivered, safely queued for a retry, or an order this browser already sent. */
export type Result = 'sent' | 'queued' | 'duplicate';

export interface Tracker {
  /** Order Confirmation page: starts the abandoned-cart clock. */
  cart(cart: CartInput): Promise<Result>;
  /** Thank You page: records the order and closes the cart. */
  order(order: OrderInput): Promise<Result>;
  /** The shopper's answer, after `consent: 'pending'` (or a change of mind). */
  consent(answer: 'granted' | 'denied'): void;
  /** Sends whatever is queued now, backoff or not. */
  flush(): Promise<void>;
}

/** Seams for tests and unusual environments; each defaults to the browser's own. */
export interface Deps extends TransportEnv {
  now?: () => number;
  random?: () => number;
  /** where `online` and `pagehide` are listened for */
  events?: Pick<EventTarget, 'addEventListener'>;
}

/** Order IDs remembered, so that a reload of the Thank You page does not send the order again. */
export const MAX_ORDERS = 20;

/** A tracker that cannot work: every call warns and rejects with `error`. */
export function broken(error: Error): Tracker {
  const no = () => (warn(error.message), Promise.reject(error));
  return { cart: no, order: no, consent: no, flush: no };
}

export function createTracker(options: Options, deps: Deps = {}): Tracker {
  let c;
  try {
    c = readOptions(options);
  } catch (err) {
    // Bad options: reported (by the check), and every call warns and rejects with the reason.
    return broken(err as Error);
  }
  const log = debugLog(c.debug);
  const now = deps.now || Date.now;
  let state: Consent = c.consent;
  const store = createStore(c.storage, c.cookieDomain, state == 'granted');
  if (state == 'denied') store._deny();

  const campaign = createCampaign(store, c.attributionDays, now, log);
  const legacy = Cookies.get(LEGACY_VISITOR_COOKIE);
  // The wire format's ID: 1 to 128 characters, no control characters.
  const visitor = store._get(VISITOR) || (/^[^\0-\x1f\x7f]{1,128}$/.test(legacy!) && legacy) || uuid();
  store._set(VISITOR, visitor, 365);
  const queue = createQueue(
    store,
    (events, beacon) => send(c.endpoint, { v: PROTOCOL_VERSION, customerId: c.customerId, source: 'sdk', events }, deps, beacon),
    log,
    deps.random || Math.random,
  );
  // Until the first consent() answer, events wait in the queue, which the store holds in memory.
  let decide: () => void;
  const decision = new Promise<void>((r) => (decide = r));
  const refuse = () => state == 'denied' && fail('consent', 'denied, event dropped');

  const track = async (input: unknown, type: TrackEvent['type']): Promise<Result> => {
    const e = { type, id: uuid(), time: now(), visitor, attribution: campaign(), ...(type == 'cart' ? readCart : readOrder)(input) } as TrackEvent;
    refuse();
    const cart = store._get(CART);
    if (e.type == 'cart') store._set(CART, (e.cartId ||= cart || uuid()), 30);
    else {
      const orders: string[] = [].concat(readJson(store, ORDERS) || []);
      if (orders.includes(e.orderId)) {
        log('duplicate', e.orderId);
        return 'duplicate';
      }
      store._set(ORDERS, JSON.stringify(orders.concat(e.orderId).slice(-MAX_ORDERS)));
      if (cart) e.cartId = cart;
      store._del(CART);
    }
    log('event', e);
    queue._add(e);
    if (state == 'pending') {
      log('held', e.id);
      await decision;
      refuse();
    }
    const r = (await queue._flush())[e.id] || 'queued';
    if (r instanceof Error) throw r;
    return r;
  };

  const target = deps.events || window;
  target.addEventListener('online', () => state == 'granted' && queue._flush());
  target.addEventListener('pagehide', () => state == 'granted' && queue._beacon());
  // A new page: what earlier pages could not deliver is retried now.
  if (state == 'granted') queue._flush();

  return {
    cart: (cart) => track(cart, 'cart'),
    order: (order) => track(order, 'order'),
    consent(answer) {
      if (answer != 'granted' && answer != 'denied') return warn(`consent: ${show(answer)} is not one of granted, denied`);
      log('consent', (state = answer));
      // A grant stores what was held (the queue too) and sends it; a denial forgets it.
      if (answer == 'granted') store._grant(), queue._flush();
      else store._deny();
      decide();
    },
    flush: async () => {
      if (state == 'granted') await queue._flush();
    },
  };
}
