// Facts of the retry queue (SPEC 3.4); the queue itself lives in the tracker (tracker.ts).

/** Most events kept; past it the oldest are dropped. */
export const MAX_EVENTS = 100;
/** Most events sent in one request. */
export const BATCH = 20;
/** Answers a retry cannot fix: 400 bad request, 401 unauthorized, 403 forbidden, 404 unknown customer, 410 gone, 413 too large, 422 unprocessable. */
export const FINAL = /^4(0[0134]|1[03]|22)$/;

/** Wait after `n` failures in a row: 2 s doubling up to 5 min, times a jitter of 0.5–1 so browsers don't retry in step. */
export const backoff = (n: number): number => Math.min(1e3 * 2 ** n, 3e5) * (0.5 + Math.random() / 2);
