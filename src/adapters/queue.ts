// What the adapters share: the tracker they drive (window.emarsysTrack, the stub until the core
// script has loaded) and a watch on a global command array (dataLayer, ScarabQueue).
import type { Api } from '../browser.js';
import { warn } from '../log.js';

/** A call queued by the stub: method, arguments, and the settle functions of the Promise it returned. */
type Queued = [string, unknown[], (v: unknown) => void, (e: unknown) => void];

type Global = Record<string, any> & { emarsysTrack?: Partial<Api> & { q?: Queued[] } };
export const w = window as unknown as Global;

/**
 * Calls a method of the tracker; without the install stub on the page, the stub's queue is made
 * here, so the core script replays the calls whichever script loads first. A rejection was
 * already reported in the console by the tracker (bad input names the field): not rethrown.
 */
export function call(method: 'cart' | 'order', arg: object): void {
  const t = (w.emarsysTrack ||= { q: [] });
  (t[method] ? t[method]!(arg as any) : new Promise((y, n) => t.q!.push([method, [arg], y, n]))).catch(() => {});
}

/**
 * Runs `handle` on every entry of the global array `name`: those pushed before this script
 * loaded, then each new push. The array's own push (GTM's, Web Extend's) still runs first; an
 * array the page replaces later (`window.ScarabQueue = …`) is watched too. An object that is
 * not an array (Web Extend's queue once its script ran) has its push watched from then on.
 */
export function watch(name: string, handle: (entry: any) => void): void {
  // An entry we cannot read is skipped, with a warning: nothing may throw into the page's push.
  const each = (entry: unknown) => {
    try {
      handle(entry);
    } catch (e) {
      // String(): a getter of the shop's may throw anything (null, a symbol), and this must not throw
      warn(`${name} entry skipped: ${String(e)}`);
    }
  };
  const hook = (q: any) => {
    if (!q || q._et) return;
    const push = q.push;
    q._et = 1;
    q.push = function (...entries: unknown[]) {
      const r = push.apply(this, entries);
      entries.forEach(each);
      return r;
    };
    if (Array.isArray(q)) q.forEach(each);
  };
  let q = w[name] || [];
  hook(q);
  try {
    Object.defineProperty(w, name, {
      configurable: true,
      get: () => q,
      set: (v) => hook((q = v)),
    });
  } catch {
    // A global declared with `var` (Web Extend's own snippet: `var ScarabQueue = …`) cannot
    // be watched for a replacement: the current value is checked twice a second instead.
    setInterval(() => hook(w[name]), 500);
  }
}
