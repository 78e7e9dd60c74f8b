// Storage (docs/sdk.md, "What is stored where"). Two stores: visitor, campaign, cart, the last
// order ID and the mark of a stored queue go to a cookie ('auto', 'cookie') when cookies are
// enabled, else to sessionStorage ('auto', 'session'); the retry queue needs room and must not
// ride along with every request as a cookie would: localStorage ('auto', 'cookie'), else
// sessionStorage. Values are JSON. Until a store is granted (consent; for the queue's store,
// also a failed send or the page going away, see retry-queue.ts) it holds every write in memory
// (a deletion is a null that expires at once); it also keeps for the page what its backend
// refused (quota, storage disabled, 'none'). A backend is looked up at each use, so a store
// never used never touches it; a missing one fails every call, into `attempt`, as a refusing
// one does.
import { cookie, setCookie } from './cookies.js';
import type { Config } from './options.js';

// Our keys.
export const VISITOR = '_et_vid';
export const CAMPAIGN = '_et_cmp';
export const CART = '_et_cart';
export const QUEUE = '_et_queue';
export const ORDERS = '_et_order';
/** Set while events wait in the stored queue: a page without it never opens localStorage. */
export const QUEUED = '_et_q';

/** A backend: the Storage interface (the cookie backend takes the days to keep). */
interface Backend {
  getItem(k: string): string | null | undefined;
  setItem(k: string, v: string, days?: number): unknown;
  removeItem(k: string): unknown;
}

/** f(), or undefined when it throws: a refusing backend counts as empty. */
export const attempt = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {}
};

export interface Store {
  /** Whether writes reach the backend (consent granted). */
  _granted?: boolean;
  _get(k: string): any;
  _set(k: string, v: unknown, days?: number): void;
  _del(k: string): void;
  /** The shopper's answer: a grant writes what was held; a denial forgets it and erases what an earlier grant stored. */
  _consent(granted: boolean): void;
}

/** A store of `keys` over `backend()`, holding every write until it is granted. */
function store(backend: () => Backend | false | undefined, keys: string[]): Store {
  // (false or undefined when there is none: every call then fails, into `attempt`)
  const use = backend as () => Backend;
  let m: Record<string, [unknown?, number?]> = {};
  const s: Store = {
    // A missing value is parsed as null, not thrown on: exceptions are slow.
    _get: (k) => (m[k] ? m[k][0] : attempt(() => JSON.parse(use().getItem(k) || 'null'))),
    _set(k, v, days) {
      m[k] = [v, days];
      if (s._granted) attempt(() => (use().setItem(k, JSON.stringify(v), days), delete m[k]));
    },
    // null, expired: a cookie goes, a Storage keeps "null" (read as none).
    _del: (k) => s._set(k, null, -1),
    _consent(granted) {
      const held = m;
      m = {};
      if ((s._granted = granted)) for (const k in held) s._set(k, ...held[k]);
      else for (const k of keys) attempt(() => use().removeItem(k));
    },
  };
  return s;
}

/** The stores the options ask for: [visitor, campaign, cart, last order ID, queue mark; retry queue]. */
export function openStores({ storage, cookieDomain }: Config): [Store, Store] {
  const has = (kind: string) => storage == 'auto' || storage == kind;
  // Opened only when a store falls back to it: reading window.sessionStorage costs about a
  // millisecond of the page's main thread, and throws in some sandboxed frames.
  const session = () => has('session') && attempt(() => sessionStorage);
  // Our visitor cookie says cookies work; only without it is navigator asked (its first use costs
  // the page about 0.1 ms).
  const jar: Backend | false | '' = has('cookie') && (cookie(VISITOR) || navigator.cookieEnabled) && { getItem: cookie, setItem: (k, v, days) => setCookie(k, v, cookieDomain, days), removeItem: (k) => setCookie(k, '', cookieDomain, -1) };
  return [
    store(() => jar || session(), [VISITOR, CAMPAIGN, CART, ORDERS, QUEUED]),
    store(() => (has('cookie') && attempt(() => localStorage)) || session(), [QUEUE]),
  ];
}
