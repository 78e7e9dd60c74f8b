// Sends one Batch for dist/emstrack.js: the fetch path of the SDK's delivery alone. With the
// whole of it (src/delivery.ts) emstrack.js would weigh about 1,690 gzipped bytes, over
// its 1,500 budget, mostly for sendBeacon and image fallbacks that no browser able to run this
// ES2019 script needs.
import { ROUTES } from '../protocol/constants.js';
import type { Batch } from '../protocol/schema.js';
import type { Sent } from '../delivery.js';

export function post(endpoint: string, batch: Batch): Promise<Sent> {
  const body = JSON.stringify(batch);
  // keepalive lets the request outlive the page, up to 64 KiB (2e4 characters are at most 60 KiB
  // of UTF-8); a string body is sent as text/plain, so there is no CORS preflight.
  return fetch(endpoint + ROUTES.events, { method: 'POST', body, keepalive: body.length < 2e4 }).then(
    async (r) => ({ status: r.status, body: await r.json().catch(() => undefined) }),
    () => ({ status: 0 }),
  );
}
