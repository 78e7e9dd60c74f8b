// Facts of the retry queue (SPEC 3.4); the queue itself lives in the tracker (tracker.ts).

/** Most events kept; past it the oldest are dropped. */
export const MAX_EVENTS = 100;
/** Oldest event kept, in ms: 7 days (it may carry an email; a browser that never delivers must not keep it for ever). */
export const MAX_AGE = 6048e5;
/** Most events sent in one request. */
export const BATCH = 20;
/** Answers a retry cannot fix: 400 bad request, 401 unauthorized, 403 forbidden, 404 unknown customer, 410 gone, 413 too large, 422 unprocessable. */
export const FINAL = /^4(0[0134]|1[03]|22)$/;

/** Longest wait before a retry, in ms: 5 minutes. */
const MAX_WAIT = 3e5;

/** Wait after `n` failures in a row: 2 s doubling up to 5 min, times a jitter of 0.5–1 so browsers don't retry in step. */
export const backoff = (n: number): number => Math.min(1e3 * 2 ** n, MAX_WAIT) * (0.5 + Math.random() / 2);

/** The ms a Retry-After header (seconds, or an HTTP date) asks to wait, up to 5 minutes; 0 or less without a usable one (or a date past). */
export const retryAfter = (v: string | null): number => Math.min(+v! * 1e3 || Date.parse(v!) - Date.now() || 0, MAX_WAIT);
