// Delivery of a Batch to the collector (SPEC 3.4), usable on its own. A text/plain body
// needs no CORS preflight.
import { ROUTES } from './protocol/constants.js';
import type { Batch } from './protocol/schema.js';

/** Replacements for the browser's own fetch and sendBeacon (tests, unusual environments). */
export interface TransportEnv {
  fetch?: typeof fetch;
  sendBeacon?: (url: string, data: string) => boolean;
}

/**
 * What came back. `status`: the HTTP status; 0 when the request failed (network down,
 * blocked, too big for a beacon); 202 when a beacon was handed to the browser (no answer to
 * read). `body`: the parsed JSON answer, when there was one.
 */
export interface Sent {
  status: number;
  body?: unknown;
}

/**
 * POSTs `batch` as text/plain to `${endpoint}/v1/events`: with fetch (keepalive, so it
 * outlives the page), or with sendBeacon when there is no fetch or `beacon` is set (the page
 * is going away); with neither, one `GET /v1/pixel.gif` per event. Never rejects.
 */
export async function send(endpoint: string, batch: Batch, env: TransportEnv = {}, beacon?: boolean): Promise<Sent> {
  const url = endpoint + ROUTES.events;
  const body = JSON.stringify(batch);
  // Held in locals: called as a method of `env`, the browser's own would throw.
  const post = env.fetch || (typeof fetch == 'function' && fetch);
  const sendBeacon = env.sendBeacon || (typeof navigator == 'object' && navigator.sendBeacon && navigator.sendBeacon.bind(navigator));
  try {
    if (sendBeacon && (beacon || !post)) return { status: sendBeacon(url, body) ? 202 : 0 };
    if (post) {
      // Browsers refuse a keepalive body over 64 KiB (2e4 characters are at most 60 KiB of
      // UTF-8): a bigger one goes as a normal request.
      const r = await post(url, { method: 'POST', body, keepalive: body.length < 2e4 });
      return { status: r.status, body: await r.json().catch(() => undefined) };
    }
    const loaded = await Promise.all(
      batch.events.map(
        (e) =>
          new Promise((done) => {
            const img = new Image();
            img.onload = () => done(1);
            img.onerror = () => done(0);
            img.src = `${endpoint}${ROUTES.pixel}?customerId=${encodeURIComponent(batch.customerId)}&e=${encodeURIComponent(JSON.stringify(e))}`;
          }),
      ),
    );
    // The pixel always answers a GIF: a load means the collector has the event.
    return { status: loaded.every(Boolean) ? 200 : 0 };
  } catch {
    return { status: 0 };
  }
}
