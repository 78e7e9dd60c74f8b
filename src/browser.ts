// The script-tag entry (dist/emarsys-track.min.js). The tag's data-* attributes are an
// implicit init(); the calls the stub queued before the script loaded are then replayed in
// order, each queued Promise settling with the real call's result, and the stub is replaced
// by the real API on `window.emarsysTrack`.
import { createLog } from './log.js';
import { OPTIONS, type Options } from './options.js';
import { broken, createTracker, type Tracker } from './tracker.js';

/** The global API: init() plus the tracker's methods. */
export interface Api extends Tracker {
  init(options: Options): void;
}

/** A call the stub queued: method, arguments, and the settle functions of the Promise it returned. */
type Queued = [keyof Api, ArrayLike<unknown>, (v: unknown) => void, (e: unknown) => void];
type Methods = Record<string, (...args: unknown[]) => unknown>;

const w = window as unknown as { emarsysTrack?: { q?: Queued[] } };
const stub = w.emarsysTrack;

// The stub always has `q`; a global without one is this script, loaded twice: keep the first.
if (!stub || stub.q) {
  let tracker: Tracker | undefined;
  const api = {
    init(options: Options) {
      if (tracker) createLog()._warn('init: already done; this call is ignored');
      else tracker = createTracker(options);
    },
  } as unknown as Methods;
  for (const m of ['cart', 'order', 'consent', 'flush'])
    api[m] = (...args) => ((tracker || broken(Error(`${m}: call emarsysTrack.init({ customerId, endpoint }) first`))) as unknown as Methods)[m](...args);

  const data = document.currentScript && (document.currentScript as HTMLScriptElement).dataset;
  if (data && data.customerId) {
    // Attribute names are the option names: data-customer-id is customerId.
    const options: Record<string, unknown> = {};
    for (const k in OPTIONS) if (data[k] != null) options[k] = k == 'debug' ? data[k] != 'false' : data[k];
    api.init(options);
  }

  w.emarsysTrack = api;
  for (const [m, args, resolve, reject] of (stub && stub.q) || []) {
    try {
      Promise.resolve(api[m](...Array.from(args))).then(resolve, reject);
    } catch (err) {
      reject(err);
    }
  }
}
