// The tracker (SPEC 3.2-3.4): cart(), order(), consent(), flush() for one shop, with its
// storage, campaign capture and retry queue in one closure (SPEC 6 byte budget: every module
// boundary costs bytes). Nothing throws into the page: cart() and order() are async, so
// whatever goes wrong becomes a rejection, and every refusal is reported in the console where
// it is made (check.ts `fail`, `drop` below).
import type { TrackEvent } from './protocol/schema.js';
import { fail } from './check.js';
import { cookie, setCookie } from './cookies.js';
import { uuid } from './id.js';
import { type CartInput, type OrderInput, readInput } from './input.js';
import { PREFIX, warn } from './log.js';
import { type Config, type Options, readOptions } from './options.js';
import { BATCH, FINAL, MAX_AGE, MAX_EVENTS, backoff, retryAfter } from './queue.js';
import type { TransportEnv } from './transport.js';

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

/** What became of each event of a flush, by event ID: delivered (1), kept for a retry (0), or refused for good. */
type Outcomes = Record<string, 0 | 1 | Error>;

/** A backend: the Storage interface (the cookie adapter takes the days to keep). */
type Backend = Pick<Storage, 'getItem' | 'removeItem'> & { setItem(k: string, v: string, days?: number): unknown };

// Our keys. The first three follow `storage`; the last two (9 characters) are the retry queue
// and the last order ID sent, which need room and never go to a cookie.
const VISITOR = '_et_vid';
const CAMPAIGN = '_et_cmp';
const CART = '_et_cart';
const QUEUE = '_et_queue';
const ORDERS = '_et_order';

/**
 * `name=value` of a campaign parameter (SPEC 3.3; CAMPAIGN_PARAMS of src/protocol/constants.ts,
 * a test keeps them equal) whose value the wire format takes as Text (TEXT_PATTERN,
 * LIMITS.text): 1 to 512 characters, no control characters.
 */
export const PARAM = /^(emst|sc_(src|uid|lid|llid|eh|customer)|utm_(source|medium|campaign))=[^\0-\x1f\x7f]{1,512}$/;

const now = () => Date.now();

/** f(), or undefined when it throws: a refusing backend counts as empty. */
const attempt = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {}
};

/** The tracker with its init(), the global API of the script tag. */
export interface Api extends Tracker {
  /** Once; a second call is ignored. */
  init(options: Options): void;
}

/**
 * A tracker. With `options` it is initialized at once (bundlers); without, init() does it
 * (the script tag). Until a successful init() every call warns and rejects with
 * "init: not done, or its options were refused" (consent() is ignored).
 */
export function createTracker(options?: Options, deps: Deps = {}): Api {
  let c: Config | undefined;
  /** Warns and throws (rejecting the async call) without a successful init(); a refusal of the options was reported then. */
  const ready = () => c || fail('init', 'not done, or its options were refused');
  let state: string;
  let granted: boolean;
  let ids: Backend;
  let durable: Backend;
  let visitor: string;

  // --- Storage (SPEC 3.2 `storage`, `consent`). Visitor, campaign and cart go to a cookie
  // ('auto', 'cookie') when cookies are enabled, else to sessionStorage ('auto', 'session');
  // the queue and the order IDs to localStorage ('auto', 'cookie'), else sessionStorage (the
  // backends are picked in init()). Values are JSON. The memory map `m` holds every write
  // until consent is granted (`[]` marks a deletion), and keeps for the page what a backend
  // refused (quota, storage disabled, 'none'); a missing backend fails every call, into
  // `attempt`, as a refusing one does.
  const backend = (k: string) => (k[8] ? durable : ids);
  let m: Record<string, [unknown?, number?]> = {};
  const get = (k: string): any => (m[k] ? m[k][0] : attempt(() => JSON.parse(backend(k).getItem(k)!)));
  const set = (k: string, v: unknown, days?: number) => {
    m[k] = [v, days];
    if (granted) attempt(() => (backend(k).setItem(k, JSON.stringify(v), days), delete m[k]));
  };
  const del = (k: string) => {
    m[k] = [];
    if (granted) attempt(() => (backend(k).removeItem(k), delete m[k]));
  };
  /** Consent denied: forget what was held, and erase what an earlier grant stored. */
  const deny = () => {
    granted = false;
    m = {};
    for (const k of [VISITOR, CAMPAIGN, CART, QUEUE, ORDERS]) attempt(() => backend(k).removeItem(k));
  };
  // --- Delivery (SPEC 3.4): a Batch as text/plain (no CORS preflight) to /v1/events, with
  // fetch (keepalive, so it outlives the page), or sendBeacon when there is no fetch or the
  // page is going away; with neither, one /v1/pixel.gif image per event, without its email
  // (a URL ends up in proxy and server logs). [status, JSON answer, ms the answer's
  // Retry-After asks to wait]; status 0: not delivered; 202: handed to sendBeacon or to
  // images (no answer to read).
  const send = async (events: TrackEvent[], beacon?: boolean): Promise<[number, any?, number?]> => {
    const { endpoint, customerId } = c!;
    const url = endpoint + '/v1/events';
    // `source` is "sdk" when absent.
    const body = JSON.stringify({ v: 1, customerId, events });
    try {
      // Held in locals: called as a method of `deps`, the browser's own would throw.
      const post = deps.fetch || fetch;
      const sendBeacon = deps.sendBeacon || navigator.sendBeacon?.bind(navigator);
      if (sendBeacon && beacon) return [sendBeacon(url, body) ? 202 : 0];
      if (post) {
        // Browsers refuse a keepalive body over 64 KiB (2e4 characters are at most 60 KiB).
        const r = await post(url, { method: 'POST', body, keepalive: body.length < 2e4 });
        return [r.status, await r.json().catch(() => {}), retryAfter(r.headers.get('retry-after'))];
      }
      for (const { email, ...e } of events) {
        if (email && c!.debug) console.log(PREFIX, e.type, e.id, 'sent without its email: a pixel URL would show it');
        new Image().src = `${endpoint}/v1/pixel.gif?customerId=${customerId}&e=${encodeURIComponent(JSON.stringify(e))}`;
      }
      return [202];
    } catch {
      return [0];
    }
  };

  // --- The retry queue (SPEC 3.4): every event is stored before it is sent, and leaves
  // storage once the collector acknowledged it or refused it for good. After a failed send it
  // is retried with backoff, or once the answer's Retry-After has passed, whichever is later;
  // it is also sent on each page load, on each new event and on the `online` event (none of
  // them before that Retry-After), and beaconed on `pagehide`. One flush runs at a time: a
  // flush asked for meanwhile joins the running one, which sends until the queue is empty or
  // a send fails.
  let failures = 0;
  let timer: ReturnType<typeof setTimeout>;
  let running: Promise<Outcomes> | 0;
  /** No send before this time: the collector's Retry-After. */
  let hold = 0;
  // Anything but a list of events (another script wrote there) counts as empty.
  const queued = (): TrackEvent[] => [].concat(get(QUEUE) || []);
  /** An event refused for good: warned about, and the error its Promise rejects with. */
  const drop = (e: TrackEvent, why: string) => (warn(`${e.type} ${e.id} dropped: ${why}`), Error(why));
  /** Stores the queue without the events past MAX_EVENTS (the oldest) and those older than MAX_AGE, each dropped with a warning. */
  const keep = (q: TrackEvent[]) =>
    set(
      QUEUE,
      q.filter((e, i) => !(i < q.length - MAX_EVENTS ? drop(e, `over ${MAX_EVENTS} events queued`) : now() - e.time > MAX_AGE && drop(e, 'not delivered in 7 days'))),
    );
  /** The oldest queued events, up to one batch (BATCH events: far below the collector's 512 KiB). */
  const next = () => queued().slice(0, BATCH);
  /** Sends everything queued, in batches (only with consent); what became of each event, by ID. */
  const flush = (): Outcomes | Promise<Outcomes> =>
    !granted
      ? {}
      : (running ||= (async () => {
          const out: Outcomes = {};
          // Never settles synchronously, so `running` is set before it is cleared.
          await 0;
          // Expired events leave before anything is sent (an empty queue is not written).
          const q = queued();
          if (q[0]) keep(q);
          for (let batch; now() >= hold && (batch = next())[0]; ) {
            const [status, body, wait = 0] = await send(batch);
            const ok = status > 199 && status < 300;
            const retry = !ok && !FINAL.test('' + status);
            // With `debug`: every request and its answer.
            if (c!.debug) console.log(PREFIX, 'sent', batch, status, body);
            for (const e of batch) out[e.id] = retry ? 0 : ok ? 1 : drop(e, `collector answered ${status} ${body?.message || ''}`);
            // Refused events of an accepted batch, by index, with the field and the reason.
            for (const { index, field, reason } of body?.rejected || []) {
              const e = batch[index];
              if (e) out[e.id] = drop(e, field + ': ' + reason);
            }
            // Re-read: another tab, or a new event meanwhile, may have changed the stored queue.
            keep(queued().filter((e) => !out[e.id]));
            clearTimeout(timer);
            if (retry) {
              hold = now() + wait;
              timer = setTimeout(flush, Math.max(wait, backoff(++failures)));
              break;
            }
            failures = 0;
          }
          running = 0;
          return out;
        })());

  const track = async (input: unknown, type: TrackEvent['type']): Promise<Result> => {
    ready();
    const kept = get(CAMPAIGN);
    const legacy = cookie('_ems_campaign');
    const e = {
      type,
      id: uuid(),
      time: now(),
      visitor,
      // The legacy emstrack.js cookie does not say when its click was; its own expiry bounds it.
      attribution: now() - kept?.at < +c!.attributionDays * 864e5 ? kept : legacy ? { emst: legacy, at: now() } : undefined,
      ...readInput(type, input),
    } as TrackEvent;
    if (state == 'denied') fail('consent', 'denied');
    const cart = get(CART);
    // Every cart() of a checkout reports the same cart ID (kept 30 days); the order closes it.
    if (e.type == 'cart') set(CART, (e.cartId ||= cart || uuid()), 30);
    else {
      // A reload of the Thank You page repeats the last order (the collector would not count
      // it twice either: it stores an order once per orderId).
      if (get(ORDERS) == e.orderId) return 'duplicate';
      set(ORDERS, e.orderId);
      if (cart) e.cartId = cart;
      del(CART);
    }
    // Until consent is granted the queue is held in memory (`m`): the event is sent on grant,
    // dropped on denial.
    keep(queued().concat(e));
    const r = (await flush())[e.id];
    if (r instanceof Error) throw r;
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
      granted = (state = c.consent) == 'granted';
      const has = (kind: string) => c!.storage == 'auto' || c!.storage == kind;
      const domain = c.cookieDomain;
      // Merely reading window.sessionStorage throws in some sandboxed frames.
      const session = (has('session') && attempt(() => sessionStorage)) as Backend;
      ids =
        has('cookie') && navigator.cookieEnabled
          ? { getItem: cookie as (k: string) => string, setItem: (k, v, days) => setCookie(k, v, domain, days), removeItem: (k) => setCookie(k, '', domain, -1) }
          : session;
      durable = (has('cookie') && attempt(() => localStorage)) || session;
      if (state == 'denied') deny();

      // Campaign (SPEC 3.3): the landing URL's parameters replace the kept click (last click
      // wins) and attribute for `attributionDays`; the cookie expires with the window. A value
      // the collector would refuse (over 512 characters, control characters) is skipped, so
      // that a mangled link cannot get the orders refused.
      let click: any;
      for (const [k, v] of new URLSearchParams(location.search)) if (PARAM.test(k + '=' + v)) (click ||= { at: now() })[k] = v;
      if (click) set(CAMPAIGN, click, +c.attributionDays);
      // The legacy emstrack.js visitor becomes ours.
      set(VISITOR, (visitor = get(VISITOR) || cookie('_ems_visitor') || uuid()), 365);

      const target = deps.events || window;
      target.addEventListener('online', flush);
      // The page is going away: beacon what is queued; it stays queued until a later page gets an acknowledgement.
      target.addEventListener('pagehide', () => {
        const batch = next();
        if (granted && batch[0]) send(batch, true);
      });
      // A new page: what earlier pages could not deliver is retried now.
      flush();
    },
    cart: (cart) => track(cart, 'cart'),
    order: (order) => track(order, 'order'),
    consent(answer) {
      // Before init() there is nothing to consent to: ignored.
      if (!c) return;
      // A grant stores what was held (the queue too) and sends it; a denial forgets it.
      if ((state = answer == 'granted' ? answer : 'denied') == 'granted') {
        granted = true;
        for (const k in m) m[k][0] ? set(k, ...m[k]) : del(k);
        flush();
      } else deny();
    },
    flush: async () => {
      ready();
      await flush();
    },
  };
  if (options) api.init(options);
  return api;
}
