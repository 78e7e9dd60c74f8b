// The tracker (SPEC 3.2): cart(), order(), consent(), flush() for one shop. Every public
// call is guarded: bad input is reported and rejects; nothing throws into the page.
import { LEGACY_VISITOR_COOKIE, LIMITS, PROTOCOL_VERSION } from './protocol/constants.js';
import type { TrackEvent } from './protocol/schema.js';
import { createCampaign } from './campaign.js';
import { isText, oneOf } from './check.js';
import { uuid } from './id.js';
import { type CartInput, type OrderInput, readCart, readOrder } from './input.js';
import { createLog } from './log.js';
import { type Consent, type Options, readOptions } from './options.js';
import { createQueue } from './queue.js';
import { sentOrders } from './sent-orders.js';
import { CART, VISITOR, chains, gate, readCookie } from './storage.js';
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

/** An event with the settle functions of the Promise its cart() or order() returned. */
type Held = [TrackEvent, (r: Result) => void, (e: Error) => void];

const answers = oneOf('granted', 'denied');
const denied = () => Error('consent: denied, event dropped');

/** A tracker that cannot work: every call warns and rejects with `error`. */
export function broken(error: Error): Tracker {
  const no = () => (createLog()._warn(error.message), Promise.reject(error));
  return { cart: no, order: no, consent: no, flush: no };
}

export function createTracker(options: Options, deps: Deps = {}): Tracker {
  const log = createLog(options && options.debug);
  try {
    const c = readOptions(options);
    const now = deps.now || Date.now;
    let state: Consent = c.consent;
    const [ids, durable] = chains(c.storage, c.cookieDomain).map((chain) => gate(chain, state == 'granted'));
    const deny = () => (ids._deny(), durable._deny());
    if (state == 'denied') deny();

    const campaign = createCampaign(ids, c.attributionDays, now, log);
    const legacy = readCookie(LEGACY_VISITOR_COOKIE);
    const visitor = ids._get(VISITOR) || (isText(legacy, LIMITS.id, 1) && legacy) || uuid();
    ids._set(VISITOR, visitor, 365);
    const orders = sentOrders(durable);
    const queue = createQueue(
      durable,
      (events, beacon) => send(c.endpoint, { v: PROTOCOL_VERSION, customerId: c.customerId, source: 'sdk', events }, deps, beacon),
      log,
      deps.random || Math.random,
    );
    const held: Held[] = [];

    /** Stores the events, sends the queue, settles each event's Promise. */
    const deliver = (hs: Held[]) => {
      hs.forEach((h) => queue._add(h[0]));
      void queue._flush().then((out) =>
        hs.forEach(([e, resolve, reject]) => {
          const r = out[e.id] || 'queued';
          if (r instanceof Error) reject(r);
          else resolve(r);
        }),
      );
    };

    const track = (input: unknown, type: TrackEvent['type']): Promise<Result> => {
      try {
        const e = { type, id: uuid(), time: now(), visitor, attribution: campaign(), ...(type == 'cart' ? readCart : readOrder)(input) } as TrackEvent;
        if (state == 'denied') throw denied();
        const cart = ids._get(CART);
        if (e.type == 'cart') ids._set(CART, (e.cartId = e.cartId || cart || uuid()), 30);
        else if (orders._has(e.orderId)) {
          log._debug('duplicate order', e.orderId);
          return Promise.resolve('duplicate');
        } else {
          orders._add(e.orderId);
          if (cart) e.cartId = cart;
          ids._del(CART);
        }
        log._debug('event', e);
        return new Promise((resolve, reject) => {
          if (state == 'granted') return deliver([[e, resolve, reject]]);
          held.push([e, resolve, reject]);
          log._debug('held until consent', e.id);
        });
      } catch (err) {
        log._warn((err as Error).message);
        return Promise.reject(err);
      }
    };

    const target = deps.events || window;
    target.addEventListener('online', () => state == 'granted' && queue._flush());
    target.addEventListener('pagehide', () => state == 'granted' && queue._beacon());
    // A new page: what earlier pages could not deliver is retried now.
    if (state == 'granted') deliver([]);

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
            deliver(hs);
          } else {
            deny();
            if (hs.length) log._warn(`consent: denied, ${hs.length} held event(s) dropped`);
            hs.forEach((h) => h[2](denied()));
          }
        } catch (err) {
          log._warn((err as Error).message);
        }
      },
      flush: () => (state == 'granted' ? queue._flush().then(() => {}) : Promise.resolve()),
    };
  } catch (err) {
    // Bad options: reported now, and every call warns and rejects with the reason.
    log._warn((err as Error).message);
    return broken(err as Error);
  }
}
