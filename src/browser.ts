// The script-tag entry (dist/emarsys-track.min.js). The calls the stub queued before the
// script loaded (the recommended install's first one is init()) are replayed in order, each
// queued Promise settling with the real call's result, and the stub is replaced by the real
// API on `window.emarsysTrack`; without a queued init() first, the tag's data-* attributes are
// an implicit init() made before them.
import { cookie } from './cookies.js';
import { type Api, createTracker } from './tracker.js';

export type { Api };

/** A call the stub queued: method, arguments, and the settle functions of the Promise it returned. */
type Queued = [keyof Api, unknown[], (v: unknown) => void, (e: unknown) => void];

const w = self as unknown as { emarsysTrack?: { q?: Queued[] } };
const stub = w.emarsysTrack;

// The stub always has `q`; a global without one is this script, loaded twice: keep the first.
if (!stub || stub.q) {
  // Attribute names are the option names (data-customer-id is customerId); other data-* attributes
  // are ignored. data-debug: on when present. Taken now: currentScript is this script only while it runs.
  // Not read when the first call the stub queued is init(): a page's first use of an element
  // (this tag) costs it a millisecond or two of main-thread time (docs/sdk.md, "Size").
  const data = stub?.q?.[0]?.[0] != 'init' && (document.currentScript as HTMLScriptElement | null)?.dataset;
  // The rest runs in the microtasks right after this script, before any other script or event.
  // Chromium takes the JavaScript stack at every document.cookie read (seen in its traces with
  // DevTools attached), and V8 re-parses each function on it the first time, to place it: from
  // this script's top level that is the whole script twice. So the first read, which the rest of
  // this run reuses (cookies.ts), is made by cookie() alone, called by the browser.
  queueMicrotask(cookie as () => void);
  queueMicrotask(() => {
    const api: any = createTracker();
    if (data && data.customerId) api.init({ ...data, debug: 'debug' in data });
    w.emarsysTrack = api;
    // A Promise's executor turns a throw into a rejection.
    for (const [m, args, resolve, reject] of stub?.q || []) new Promise((r) => r(api[m](...args))).then(resolve, reject);
  });
}
