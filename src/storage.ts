// Where the SDK keeps its state (SPEC 3.2 `storage` and `consent`). Two chains of backends:
// visitor, campaign and cart follow `storage` (a cookie, then sessionStorage); the retry
// queue and the sent order IDs need room, so they prefer localStorage and never go to a
// cookie. What no backend takes is kept in memory, for the page. Until consent is granted,
// every write is kept in memory; a grant stores it, a denial forgets it and erases what an
// earlier grant stored.
import Cookies from 'js-cookie';

export type StorageKind = 'auto' | 'cookie' | 'session' | 'none';

/** Values are kept as JSON. */
export interface Store {
  /** undefined when absent or unreadable */
  _get(key: string): any;
  /** `days`: how long a cookie keeps it */
  _set(key: string, value: unknown, days?: number): void;
  _del(key: string): void;
  /** consent granted: store what was kept in memory */
  _grant(): void;
  /** consent denied: forget what was kept in memory and erase our keys from every backend */
  _deny(): void;
}

/** A backend: the Storage interface (a cookie adapter takes the days to keep). Any call may throw. */
type Backend = Pick<Storage, 'getItem' | 'removeItem'> & { setItem(k: string, v: string, days?: number): unknown };

// Our keys: the first three follow `storage`, the last two are for the retry queue.
export const VISITOR = '_et_vid';
export const CAMPAIGN = '_et_cmp';
export const CART = '_et_cart';
export const QUEUE = '_et_queue';
export const ORDERS = '_et_orders';

/** f(), or undefined when it throws: a refusing backend counts as empty. */
export const attempt = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {}
};

export function createStore(kind: StorageKind, domain: string | undefined, granted: boolean): Store {
  const jar = Cookies.withAttributes({ sameSite: 'Lax', secure: location.protocol == 'https:', domain });
  const cookie: Backend = { getItem: jar.get as (k: string) => string, setItem: (k, v, expires) => jar.set(k, v, { expires }), removeItem: jar.remove };
  // Merely reading window.sessionStorage throws in some sandboxed frames; a missing backend
  // fails every call, so it is skipped like a refusing one.
  const session = attempt(() => sessionStorage);
  const has = (k: StorageKind) => kind == 'auto' || kind == k;
  const ids = [has('cookie') && cookie, has('session') && session] as Backend[];
  const durable = has('cookie') ? [attempt(() => localStorage), session] as Backend[] : ids;
  const chain = (k: string) => (k == QUEUE || k == ORDERS ? durable : ids);
  /** Memory: writes held until consent, and what no backend took; `[]` marks a deletion. */
  let m: Record<string, [unknown?, number?]> = {};
  // From every backend, so that no older copy shows through the reads.
  const erase = (k: string) => chain(k).map((b) => attempt(() => b.removeItem(k)));
  const s: Store = {
    // Reading stores nothing, so it goes through the whole chain even before consent.
    _get: (k) => (m[k] ? m[k][0] : attempt(() => JSON.parse(chain(k).map((b) => attempt(() => b.getItem(k))).find(Boolean)!))),
    // A write goes to the first backend that takes it: written and read back (a full
    // localStorage throws, a refused cookie reads back empty). One that refuses loses its
    // older copy, so that it cannot show through.
    _set(k, v, days) {
      const json = JSON.stringify(v);
      if (granted && chain(k).find((b) => attempt(() => (b.setItem(k, json, days), b.getItem(k) == json)) || void attempt(() => b.removeItem(k)))) delete m[k];
      else m[k] = [v, days];
    },
    _del(k) {
      if (granted) delete m[k], erase(k);
      else m[k] = [];
    },
    _grant() {
      granted = true;
      for (const k in m) m[k][0] ? s._set(k, ...m[k]) : s._del(k);
    },
    _deny() {
      granted = false;
      m = {};
      [VISITOR, CAMPAIGN, CART, QUEUE, ORDERS].map(erase);
    },
  };
  return s;
}
