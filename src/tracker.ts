// The tracker's API (docs/sdk.md): cart(), order(), consent(), flush() for one shop, over its
// storage (storage.ts), campaign capture (campaign.ts), delivery (delivery.ts) and retry
// queue (retry-queue.ts). Nothing throws into the page: cart() and order() are async, so
// whatever goes wrong becomes a rejection, and every refusal is reported in the console where
// it is made (check.ts `fail`, the retry queue's `drop`).
import type { TrackEvent } from './protocol/schema.js';
import { attribution, captureClick } from './campaign.js';
import { fail } from './check.js';
import { type TransportEnv, sender } from './delivery.js';
import { uuid } from './id.js';
import { type CartInput, type OrderInput, readInput } from './input.js';
import { cookie } from './cookies.js';
import { type Config, type Options, readOptions } from './options.js';
import { type RetryQueue, retryQueue } from './retry-queue.js';
import { CART, ORDERS, type Store, VISITOR, openStores } from './storage.js';

/** How cart() or order() settled: delivered, safely queued for a retry, or an order this browser already sent. */
export type Result = 'sent' | 'queued' | 'duplicate';

export interface Tracker {
  /** Order Confirmation page: starts the abandoned-cart clock. */
  cart(cart: CartInput): Promise<Result>;
  /** Thank You page: records the order and closes the cart. */
  order(order: OrderInput): Promise<Result>;
  /** The shopper's answer, after `consent: 'pending'` (or a change of mind); anything but 'granted' is a denial. */
  consent(answer: 'granted' | 'denied'): void;
  /** Sends whatever is queued now, backoff or not. */
  flush(): Promise<void>;
}

/** Seams for tests and unusual environments; each defaults to the browser's own. */
export interface Deps extends TransportEnv {
  /** where `online` and `pagehide` are listened for */
  events?: Pick<EventTarget, 'addEventListener'>;
}

/** The tracker with its init(), the global API of the script tag. */
export interface Api extends Tracker {
  /** Once; a second call is ignored. */
  init(options: Options): void;
}

/**
 * A tracker. With `options` it is initialized at once (bundlers); without, init() does it
 * (the script tag). Until a successful init() every call warns and rejects with
 * "init: not done, or refused" (consent() is ignored).
 */
export function createTracker(options?: Options, deps: Deps = {}): Api {
  let c: Config | undefined;
  /** Warns and throws (rejecting the async call) without a successful init(); a refusal of the options was reported then. */
  const ready = () => c || fail('init', 'not done, or refused');
  let state: string;
  /** Visitor, campaign, cart, the last order ID sent and the mark of a stored queue. */
  let ids: Store;
  let queue: RetryQueue;
  let visitor: string;

  const track = async (input: unknown, type: TrackEvent['type']): Promise<Result> => {
    ready();
    // The input first: what the SDK makes (type, event ID, time, visitor, attribution) is never the page's to set.
    const e = { ...readInput(type, input), type, id: uuid(), time: Date.now(), visitor, attribution: attribution(ids, +c!.attributionDays) } as TrackEvent;
    if (state == 'denied') fail('consent', 'denied');
    const cart = ids._get(CART);
    // Every cart() of a checkout reports the same cart ID (kept 30 days); the order closes it.
    if (e.type == 'cart') ids._set(CART, (e.cartId ||= cart || uuid()), 30);
    else {
      // A reload of the Thank You page repeats the last order (the collector would not count
      // it twice either: it stores an order once per orderId).
      if (ids._get(ORDERS) == e.orderId) return 'duplicate';
      ids._set(ORDERS, e.orderId, 30);
      // (no cart kept: no cookie write)
      if (cart) e.cartId = cart, ids._del(CART);
    }
    queue._add(e);
    const r = (await queue._flush())[e.id];
    // 0 (kept for a retry), 1 (delivered) or the Error it was refused with
    if (typeof r == 'object') throw r;
    return r ? 'sent' : 'queued';
  };

  const api: Api = {
    init(options) {
      if (c) return;
      try {
        c = readOptions(options);
      } catch {
        // Bad options: reported by the check; every later call warns and rejects.
        return;
      }
      // The cookie store (ids, and the queue's mark) and the queue's own store; the queue passes
      // the shopper's consent on to both.
      queue = retryQueue(...([ids] = openStores(c)), sender(c, deps), c.debug);
      // 'pending' (or an unknown value) holds everything in memory until consent() is called.
      // Granted: what earlier pages could not deliver is retried now.
      if ((state = c.consent) == 'granted' || state == 'denied') queue._consent(state == 'granted');
      // The legacy emstrack.js visitor becomes ours.
      ids._set(VISITOR, (visitor = ids._get(VISITOR) || cookie('_ems_visitor') || uuid()), 365);
      const click = captureClick(ids, +c.attributionDays);
      // A new click is reported once, held like any event until consent (sent with the flush
      // consent() started); the path without its query string, which may hold personal data.
      if (click) queue._add({ type: 'click', id: uuid(), time: click.at, visitor, attribution: click, path: location.pathname.slice(0, 512) });
      const target = deps.events || self;
      target.addEventListener('online', queue._flush);
      target.addEventListener('pagehide', queue._beacon);
    },
    cart: (cart) => track(cart, 'cart'),
    order: (order) => track(order, 'order'),
    consent(answer) {
      // Before init() there is nothing to consent to: ignored.
      if (c) queue._consent((state = answer == 'granted' ? answer : 'denied') == 'granted');
    },
    flush: async () => {
      ready();
      await queue._flush();
    },
  };
  if (options) api.init(options);
  return api;
}
