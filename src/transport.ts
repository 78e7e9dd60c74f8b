// Delivery types (SPEC 3.4). The SDK's sender lives in the tracker (tracker.ts); the legacy
// emstrack.js has its own (src/legacy/post.ts).

/** Replacements for the browser's own fetch and sendBeacon (tests, unusual environments). */
export interface TransportEnv {
  fetch?: typeof fetch;
  sendBeacon?: (url: string, data: string) => boolean;
}

/**
 * What came back. `status`: the HTTP status; 0 when the request failed (network down,
 * blocked, too big for a beacon); 202 when the events were handed to sendBeacon or to pixels
 * (no answer to read). `body`: the parsed JSON answer, when there was one.
 */
export interface Sent {
  status: number;
  body?: unknown;
}
