// Delivery of a Batch to the collector (SPEC 3.4), usable on its own. A text/plain body
// needs no CORS preflight.
import type { Batch } from './protocol/schema.js';

/** Replacements for the browser's own fetch and sendBeacon (tests, unusual environments). */
export interface TransportEnv {
  fetch?: typeof fetch;
  sendBeacon?: (url: string, data: string) => boolean;
}

/**
 * What came back. `status`: the HTTP status; 0 when the request failed (network down,
 * blocked, too big for a beacon); 202 when the batch was handed to sendBeacon or to pixels
 * (no answer to read). `body`: the parsed JSON answer, when there was one.
 */
export interface Sent {
  status: number;
  body?: any;
}

/**
 * POSTs `batch` as text/plain to `${endpoint}/v1/events`: with fetch (keepalive, so it
 * outlives the page), or with sendBeacon when there is no fetch or `beacon` is set (the page
 * is going away); with neither, one `GET /v1/pixel.gif` image per event. Never rejects.
 */
export async function send(endpoint: string, batch: Batch, env: TransportEnv = {}, beacon?: boolean): Promise<Sent> {
  const url = endpoint + '/v1/events';
  const body = JSON.stringify(batch);
  try {
    // Held in locals: called as a method of `env`, the browser's own would throw.
    const post = env.fetch || fetch;
    const sendBeacon = env.sendBeacon || navigator.sendBeacon?.bind(navigator);
    if (sendBeacon && (beacon || !post)) return { status: sendBeacon(url, body) ? 202 : 0 };
    if (post) {
      // Browsers refuse a keepalive body over 64 KiB (2e4 characters are at most 60 KiB of
      // UTF-8): a bigger one goes as a normal request.
      const r = await post(url, { method: 'POST', body, keepalive: body.length < 2e4 });
      return { status: r.status, body: await r.json().catch(() => {}) };
    }
    // No browser able to run this ES2020 script lacks both; an image has no answer to read.
    for (const e of batch.events) new Image().src = `${endpoint}/v1/pixel.gif?customerId=${batch.customerId}&e=${encodeURIComponent(JSON.stringify(e))}`;
    return { status: 202 };
  } catch {
    return { status: 0 };
  }
}
