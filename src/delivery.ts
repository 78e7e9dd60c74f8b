// Delivery (docs/sdk.md, "Delivery"): a Batch as text/plain (no CORS preflight) to
// /v1/events, with fetch (keepalive, so it outlives the page), or sendBeacon when the page is
// going away. Every browser that runs this ES2021 script has fetch; where a page removed it,
// a send fails like one without a network: the events stay queued, and are beaconed on
// pagehide. The legacy emstrack.js has its own fetch call (src/legacy/post.ts).
import type { WireEvent } from './protocol/schema.js';
import type { Config } from './options.js';

/** Replacements for the browser's own fetch and sendBeacon (tests, unusual environments). */
export interface TransportEnv {
  fetch?: typeof fetch;
  sendBeacon?: (url: string, data: string) => boolean;
}

/**
 * What came back. `status`: the HTTP status; 0 when the request failed (network down,
 * blocked, too big for a beacon, no fetch); 202 when the events were handed to sendBeacon (no
 * answer to read). `body`: the parsed JSON answer, when there was one.
 */
export interface Sent {
  status: number;
  body?: unknown;
}

/** [Sent.status, Sent.body, the Response (for its Retry-After, read only after a failure)]. */
export type Answer = [number, any?, Response?];

/** Sends events (by beacon when asked and possible); never throws. */
export type Send = (events: WireEvent[], beacon?: boolean) => Promise<Answer>;

export const sender =
  ({ endpoint, customerId }: Config, deps: TransportEnv): Send =>
  async (events, beacon) => {
    const url = endpoint + '/v1/events';
    // `source` is "sdk" when absent.
    const body = JSON.stringify({ v: 1, customerId, events });
    try {
      // Held in locals: called as a method of `deps`, the browser's own would throw.
      const post = deps.fetch || fetch;
      // Looked up only when beaconing: a page touches navigator only when it needs it.
      const sendBeacon = beacon && (deps.sendBeacon || navigator.sendBeacon?.bind(navigator));
      if (sendBeacon) return [sendBeacon(url, body) ? 202 : 0];
      // Browsers refuse a keepalive body over 64 KiB (2e4 characters are at most 60 KiB).
      // Called by the Promise, with none of our functions on the stack: Chromium takes the
      // stack at fetch() (with DevTools attached), and V8 re-parses each function on it the
      // first time, to place it (BENCHMARKS.md, "SDK cost on the page": about 1 ms).
      const r = await Promise.resolve({ method: 'POST', body, keepalive: body.length < 2e4 }).then(post.bind(self, url));
      return [r.status, await r.json().catch(() => {}), r];
    } catch {
      return [0];
    }
  };
