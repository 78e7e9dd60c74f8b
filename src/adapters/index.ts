// The adapters' script-tag entry (dist/emarsys-track-adapters.min.js, its own byte budget so the
// core keeps its own): GA4 dataLayer and Web Extend ScarabQueue commands become the core's
// cart() and order() (docs/integrations.md). Each adapter starts when asked for, by an
// attribute on any script tag (this one or the core's) or by an init() option it sees: a call
// still queued in the stub when this script runs, or made on the stub afterwards.
import { watchDataLayer } from './datalayer.js';
import { w } from './queue.js';
import { watchWebExtend } from './web-extend.js';

/** Adapters not started yet, by init() option, with their data-* attribute. */
const adapters: Record<string, [string, () => void]> = {
  dataLayer: ['datalayer', watchDataLayer],
  webExtend: ['web-extend', watchWebExtend],
};

const start = (options: any) => {
  for (const k in adapters)
    if (options?.[k] || document.querySelector(`script[data-${adapters[k][0]}]`)) {
      adapters[k][1]();
      delete adapters[k];
    }
};

const t = w.emarsysTrack;
start(0);
for (const [m, [options]] of t?.q || []) if (m == 'init') start(options);
if (t?.q && t.init) {
  const init = t.init;
  // Queued first: the core replays calls in order, and what the adapter replays needs the init.
  t.init = (options) => {
    const r = init(options);
    start(options);
    return r;
  };
}
