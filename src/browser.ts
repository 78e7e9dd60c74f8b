// The script-tag entry (dist/emarsys-track.min.js). The tag's data-* attributes are an
// implicit init(); the calls the stub queued before the script loaded are then replayed in
// order, each queued Promise settling with the real call's result, and the stub is replaced
// by the real API on `window.emarsysTrack`.
import { createLog } from './log.js';
import type { Options } from './options.js';
import { createTracker, type Tracker } from './tracker.js';

/** The global API: init() plus the tracker's methods. */
export interface Api extends Tracker {
  init(options: Options): void;
}

/** A call the stub queued: method, arguments, and the settle functions of the Promise it returned. */
type Queued = [keyof Api, ArrayLike<unknown>, (v: unknown) => void, (e: unknown) => void];
type Method = (...args: unknown[]) => unknown;

const w = window as unknown as { emarsysTrack?: { q?: Queued[] } };
const stub = w.emarsysTrack;
const DATA = ['customerId', 'endpoint', 'attributionDays', 'storage', 'cookieDomain', 'consent', 'debug'];

// The stub always has `q`; a global without one is this script, loaded twice: keep the first.
if (!stub || stub.q) {
  const log = createLog(0);
  let tracker: Tracker | undefined;
  const api = {
    init(options: Options) {
      if (tracker) log._warn('init: already done; this call is ignored');
      else tracker = createTracker(options);
    },
  } as Api;
  (['cart', 'order', 'consent', 'flush'] as const).forEach(
    (m) =>
      ((api as unknown as Record<string, Method>)[m] = (...args) => {
        if (tracker) return (tracker[m] as Method)(...args);
        const err = Error(`${m}: call emarsysTrack.init({ customerId, endpoint }) first`);
        log._warn(err.message);
        return Promise.reject(err);
      }),
  );

  const data = document.currentScript && (document.currentScript as HTMLScriptElement).dataset;
  if (data && data.customerId) {
    const o: Record<string, unknown> = {};
    for (const k of DATA) if (data[k] != null) o[k] = data[k];
    if (o.attributionDays) o.attributionDays = +o.attributionDays;
    // `data-debug` alone turns it on, like any boolean attribute.
    if (o.debug != null) o.debug = o.debug != 'false';
    api.init(o as unknown as Options);
  }

  w.emarsysTrack = api as never;
  for (const [m, args, resolve, reject] of (stub && stub.q) || []) {
    try {
      Promise.resolve((api[m] as Method)(...Array.from(args))).then(resolve, reject);
    } catch (err) {
      reject(err);
    }
  }
}
