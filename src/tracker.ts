// The tracker (SPEC 3.2): cart(), order(), consent(), flush() for one shop. Every public
// call is guarded: bad input is reported and rejects; nothing throws into the page.
import { LEGACY_VISITOR_COOKIE, LIMITS, PROTOCOL_VERSION } from './protocol/constants.js';
import type { TrackEvent } from './protocol/schema.js';
import { createCampaign } from './campaign.js';
import { isText, oneOf } from './check.js';
import { uuid } from './id.js';
import { type CartInput, type OrderInput, readCart, readOrder } from './input.js';
import { createLog, type Log, type LogOutput } from './log.js';
import { type Consent, type Options, readOptions } from './options.js';
import { createQueue } from './queue.js';
import { sentOrders } from './sent-orders.js';
import { CART, VISITOR, chains, gate, readCookie } from './storage.js';
import { browserEnv, send, type TransportEnv } from './transport.js';

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
  console?: LogOutput;
  /** where `online` and `pagehide` are listened for */
  events?: Pick<EventTarget, 'addEventListener'>;
}

/** An event with the settle functions of the Promise its cart() or order() returned. */
type Held = [TrackEvent, (r: Result) => void, (e: Error) => void];

const VISITOR_DAYS = 365;
const CART_DAYS = 30;
const answers = oneOf('granted', 'denied');
const denied = () => Error('consent: denied, event dropped');

export function createTracker(options: Options, deps: Deps = {}): Tracker {
  const log = createLog(options && options.debug, deps.console);
  try {
    return start(readOptions(options), deps, log);
  } catch (err) {
    // Bad options: reported now, and every call rejects with the same reason.
    log._warn((err as Error).message);
    const no = () => Promise.reject(err);
    return { cart: no, order: no, consent: no, flush: no };
  }
}

function start(c: ReturnType<typeof readOptions>, deps: Deps, log: Log): Tracker {
  const now = deps.now || Date.now;
  const env = { ...browserEnv(), ...deps };
  let state: Consent = c.consent;
  const [ids, durable] = chains(c.storage, c.cookieDomain).map((chain) => gate(chain, state == 'granted'));
  const deny = () => (ids._deny(), durable._deny());
  if (state == 'denied') deny();

  const campaign = createCampaign(ids, c.attributionDays, now, log);
  const legacyVisitor = readCookie(LEGACY_VISITOR_COOKIE);
  const visitor = ids._get(VISITOR) || (isText(legacyVisitor, LIMITS.id) && legacyVisitor) || uuid();
  ids._set(VISITOR, visitor, VISITOR_DAYS);
  const orders = sentOrders(durable);
  const queue = createQueue(
    durable,
    (events, beacon) => send(c.endpoint, { v: PROTOCOL_VERSION, customerId: c.customerId, source: 'sdk', events }, env, beacon),
    log,
    now,
    deps.random || Math.random,
  );
  const held: Held[] = [];

  /** Stores the events, sends what is due (`all`: also what waits for its backoff), settles each. */
  const deliver = (hs: Held[], all?: boolean) => {
    hs.forEach((h) => queue._add(h[0]));
    void queue._flush(all).then((out) =>
      hs.forEach(([e, resolve, reject]) => {
        const r = out[e.id] || 'queued';
        if (r instanceof Error) reject(r);
        else resolve(r);
      }),
    );
  };

  function track(input: unknown, type: TrackEvent['type']): Promise<Result> {
    try {
      const fields = type == 'cart' ? readCart(input) : readOrder(input);
      if (state == 'denied') {
        log._debug('event dropped: consent denied');
        return Promise.reject(denied());
      }
      const e = { type, id: uuid(), time: now(), visitor, attribution: campaign(), ...fields } as TrackEvent;
      const cartId = ids._get(CART);
      if (e.type == 'cart') ids._set(CART, (e.cartId = e.cartId || cartId || uuid()), CART_DAYS);
      else {
        if (orders._has(e.orderId)) {
          log._debug('order already sent from this browser:', e.orderId);
          return Promise.resolve('duplicate');
        }
        orders._add(e.orderId);
        if (cartId) e.cartId = cartId;
        ids._del(CART);
      }
      log._debug('event', e);
      return new Promise((resolve, reject) => {
        if (state == 'granted') deliver([[e, resolve, reject]]);
        else {
          held.push([e, resolve, reject]);
          log._debug('held in memory until consent', e.id);
        }
      });
    } catch (err) {
      log._warn((err as Error).message);
      return Promise.reject(err);
    }
  }

  const whenGranted = (f: () => unknown) => () => state == 'granted' && f();
  const target = deps.events || window;
  target.addEventListener('online', whenGranted(() => queue._flush(true)));
  target.addEventListener('pagehide', whenGranted(queue._beacon));
  // A new page: what earlier pages could not deliver is retried now.
  whenGranted(() => deliver([], true))();

  return {
    cart: (cart) => track(cart, 'cart'),
    order: (order) => track(order, 'order'),
    consent(answer) {
      try {
        state = answers(answer, 'consent') as Consent;
        log._debug('consent', answer);
        const hs = held.splice(0);
        if (answer == 'granted') {
          ids._grant();
          durable._grant();
          deliver(hs, true);
        } else {
          deny();
          hs.forEach((h) => h[2](denied()));
        }
      } catch (err) {
        log._warn((err as Error).message);
      }
    },
    flush: () => (state == 'granted' ? queue._flush(true).then(() => {}) : Promise.resolve()),
  };
}
