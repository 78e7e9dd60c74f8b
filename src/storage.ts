// Where the SDK keeps its state (SPEC 3.2 `storage` and `consent`). Two chains of backends:
// visitor, campaign and cart follow `storage` (cookie, then sessionStorage, then memory);
// the retry queue and the sent order IDs need room, so they prefer localStorage and never
// go to a cookie. Until consent is granted, writes are held in memory; a grant stores
// them, a denial forgets them and erases what an earlier grant stored.
import Cookies from 'js-cookie';

export type StorageKind = 'auto' | 'cookie' | 'session' | 'none';

export interface Store {
  _get(key: string): string | undefined;
  /** falsy when the backend refused the value (quota, storage disabled) */
  _set(key: string, value: string, days?: number): unknown;
  _del(key: string): void;
}

export interface GatedStore extends Store {
  /** consent granted: probe for the first working backend and store what was held */
  _grant(): void;
  /** consent denied: forget what was held and erase our keys from every backend */
  _deny(): void;
}

/** A backend: get, set (with days to keep, for a cookie), delete. Any of them may throw. */
type Backend = [(k: string) => string | null | undefined, (k: string, v: string, days?: number) => unknown, (k: string) => unknown];

// Our keys: the first three follow `storage`, the last two are for the retry queue.
export const VISITOR = '_et_vid';
export const CAMPAIGN = '_et_cmp';
export const CART = '_et_cart';
export const QUEUE = '_et_queue';
export const ORDERS = '_et_orders';
const KEYS = [VISITOR, CAMPAIGN, CART, QUEUE, ORDERS];
const PROBE = '_et_probe';

/** f(), or undefined when it throws: a refusing backend counts as empty. */
export const attempt = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    /* undefined */
  }
};

/** A cookie, ours or the legacy emstrack.js's, read whatever `storage` says (reading stores nothing). */
export const readCookie = (name: string): string | undefined => Cookies.get(name);

/** A JSON value kept under `key`, or undefined when absent or unreadable. */
export const readJson = (store: Store, key: string) => attempt(() => JSON.parse(store._get(key)!));

const cookie = (domain?: string): Backend => {
  const jar = Cookies.withAttributes({ sameSite: 'Lax', secure: location.protocol == 'https:', domain });
  return [(k) => jar.get(k), (k, v, days) => jar.set(k, v, { expires: days }), (k) => jar.remove(k)];
};

// Merely reading window.localStorage throws in some sandboxed frames: the lookup is inside each call.
const web = (name: 'localStorage' | 'sessionStorage'): Backend => [
  (k) => window[name].getItem(k),
  (k, v) => (window[name].setItem(k, v), 1),
  (k) => window[name].removeItem(k),
];

/** The backend chains for `storage`: [visitor, campaign and cart; retry queue and sent orders]. */
export function chains(kind: StorageKind, cookieDomain?: string): Backend[][] {
  const m: Record<string, string> = {};
  const memory: Backend = [(k) => m[k], (k, v) => (m[k] = v), (k) => delete m[k]];
  const session = web('sessionStorage');
  const ids = kind == 'none' ? [memory] : kind == 'session' ? [session, memory] : [cookie(cookieDomain), ...(kind == 'auto' ? [session] : []), memory];
  return [ids, kind == 'auto' || kind == 'cookie' ? [web('localStorage'), session, memory] : ids];
}

const read = (b: Backend, k: string) => attempt(() => b[0](k)) || undefined;

export function gate(chain: Backend[], granted: boolean): GatedStore {
  let picked: Backend;
  let held: Record<string, [string?, number?]> | undefined = granted ? undefined : {};
  // The support probe, once, at the first write with consent: write, read back, delete.
  // Memory, last in every chain, always passes.
  const pick = () =>
    (picked =
      picked ||
      chain.find((b) => {
        attempt(() => b[1](PROBE, '1'));
        const ok = read(b, PROBE) == '1';
        attempt(() => b[2](PROBE));
        return ok;
      })!);
  // From every backend, so that no older copy shows through the reads.
  const erase = (k: string) => chain.forEach((b) => attempt(() => b[2](k)));
  const s: GatedStore = {
    // Reading stores nothing, so it goes through the whole chain even before consent.
    _get: (k) => (held && k in held ? held[k][0] : chain.map((b) => read(b, k)).find(Boolean)),
    _set: (k, v, days) => (held ? (held[k] = [v, days]) : attempt(() => pick()[1](k, v, days))),
    _del(k) {
      if (held) held[k] = [];
      else erase(k);
    },
    _grant() {
      const h = held;
      held = undefined;
      for (const k in h) h[k][0] ? s._set(k, h[k][0]!, h[k][1]) : s._del(k);
    },
    _deny() {
      held = {};
      KEYS.forEach(erase);
    },
  };
  return s;
}
