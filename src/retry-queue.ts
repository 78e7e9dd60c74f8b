// The retry queue (docs/sdk.md, "Delivery"): every event is queued before it is sent, and
// leaves the queue once the collector acknowledged it or refused it for good. The queue lives in
// memory while its sends succeed; a failed send, or the page going away (`pagehide`) with events
// not yet acknowledged, writes it to storage and marks that in a cookie, and from then on it is
// written through, until it is empty again. So a page on which every send succeeds never opens
// localStorage. After a failed send the queue is retried with backoff, or once the answer's
// Retry-After has passed, whichever is later; it is also sent on each page load, on each new
// event and on the `online` event (none of them before that Retry-After), and beaconed on
// `pagehide`. One flush runs at a time: a flush asked for meanwhile joins the running one, which
// sends until the queue is empty or a send fails. Events older than 7 days, and past 100 the
// oldest, are dropped with a warning.
import type { WireEvent } from './protocol/schema.js';
import type { Send } from './delivery.js';
import { PREFIX, warn } from './log.js';
import { QUEUE, QUEUED, type Store } from './storage.js';

/** Most events kept; past it the oldest are dropped. */
export const MAX_EVENTS = 100;
/** Oldest event kept, in ms: 7 days (it may carry an email; a browser that never delivers must not keep it for ever). */
export const MAX_AGE = 6048e5;
/** Most events sent in one request (far below the collector's 512 KiB). */
export const BATCH = 20;
/** Answers a retry cannot fix: 400 bad request, 401 unauthorized, 403 forbidden, 404 unknown customer, 410 gone, 413 too large, 422 unprocessable. */
export const FINAL = /^4(0[0134]|1[03]|22)$/;

/** Longest wait before a retry, in ms: 5 minutes. */
const MAX_WAIT = 3e5;

/** Wait after `n` failures in a row: 2 s doubling up to 5 min, times a jitter of 0.5–1 so browsers don't retry in step. */
export const backoff = (n: number): number => Math.min(1e3 * 2 ** n, MAX_WAIT) * (0.5 + Math.random() / 2);

/** The ms a Retry-After header (seconds, or an HTTP date) asks to wait, up to 5 minutes; 0 or less without a usable one (or a date past). */
export const retryAfter = (v?: string | null): number => Math.min(+v! * 1e3 || Date.parse(v!) - Date.now() || 0, MAX_WAIT);

/** What became of each event of a flush, by event ID: delivered (1), kept for a retry (0), or refused for good. */
export type Outcomes = Record<string, 0 | 1 | Error>;

export interface RetryQueue {
  /** Queues an event (in memory until consent is granted: sent on grant, dropped on denial). */
  _add(e: WireEvent): void;
  /** Sends everything queued, in batches (only with consent); what became of each event, by ID. */
  _flush(): Outcomes | Promise<Outcomes>;
  /** The page is going away: stores the queue and beacons its oldest batch; it stays queued until a later page gets an acknowledgement. */
  _beacon(): void;
  /** The shopper's answer, for both stores: a grant stores what was held (the queue only if one was stored) and sends; a denial forgets it and erases what an earlier grant stored. */
  _consent(granted: boolean): void;
}

/** A queue kept in `store`, which writes to its backend only once a send failed; `marks` (the cookie store, whose consent it follows) says when it did. */
export function retryQueue(marks: Store, store: Store, send: Send, debug?: boolean): RetryQueue {
  let failures = 0;
  let timer: ReturnType<typeof setTimeout>;
  let running: Promise<Outcomes> | 0;
  /** No send before this time: the collector's Retry-After. */
  let hold = 0;
  /** Whether the queue is in storage: marked so when the page loaded, or stored since. Until then it is `mem`. */
  let stored = marks._get(QUEUED);
  let mem: WireEvent[] = [];
  // Anything but a list of events (another script wrote there) counts as empty.
  const queued = (): WireEvent[] => [].concat((stored ? store._get(QUEUE) : mem) || []);
  /** An event refused for good: warned about, and the error its Promise rejects with. */
  const drop = (e: WireEvent, why: string) => (warn(`${e.type} ${e.id} dropped: ${why}`), Error(why));
  /**
   * Keeps the queue without the events past MAX_EVENTS (the oldest) and those older than
   * MAX_AGE, each dropped with a warning; a stored queue that is empty loses its mark.
   */
  const keep = (q: WireEvent[]) => (
    (q = q.filter((e, i) => !(i < q.length - MAX_EVENTS ? drop(e, `over ${MAX_EVENTS} events queued`) : Date.now() - e.time > MAX_AGE && drop(e, 'not delivered in 7 days')))),
    stored ? store._set(QUEUE, q) : (mem = q),
    store._granted && !q[0] && marks._del(QUEUED)
  );
  /**
   * From now on the queue is stored, after what another tab may have stored meanwhile, and
   * marked, for the next page should this one go before it is delivered (the mark outlives the
   * events, so a later page also clears out expired ones).
   */
  const persist = () => (store._consent(true), marks._set(QUEUED, 1, 365), (stored = 1), keep(queued().concat(mem)), (mem = []));
  /** The oldest queued events, up to one batch. */
  const next = () => queued().slice(0, BATCH);
  const flush = (): Outcomes | Promise<Outcomes> =>
    !marks._granted
      ? {}
      : (running ||= (async () => {
          const out: Outcomes = {};
          // Never settles synchronously, so `running` is set before it is cleared.
          await 0;
          // Expired events leave before anything is sent.
          keep(queued());
          for (let batch; Date.now() >= hold && (batch = next())[0]; ) {
            const [status, body, res] = await send(batch);
            const ok = ((status / 100) | 0) == 2;
            // (test() takes the number as its string)
            const retry = !ok && !FINAL.test(status as any);
            // With `debug`: every request and its answer.
            if (debug) console.log(PREFIX, 'sent', batch, status, body);
            for (const e of batch) out[e.id] = retry ? 0 : ok ? 1 : drop(e, `collector answered ${status} ${body?.message || ''}`);
            // Refused events of an accepted batch, by index, with the field and the reason.
            for (const { index, field, reason } of body?.rejected || []) if (batch[index]) out[batch[index].id] = drop(batch[index], field + ': ' + reason);
            // Re-read: another tab, or a new event meanwhile, may have changed the stored queue.
            keep(queued().filter((e) => !out[e.id]));
            if (retry) {
              // Only here: a timer left from an earlier failure may fire after a success, to
              // find the queue empty, and a page whose sends succeed never uses timers.
              clearTimeout(timer);
              persist();
              // Read only now: a page's first use of a Response's headers costs it about 0.07 ms.
              const wait = retryAfter(res?.headers.get('retry-after'));
              hold = Date.now() + wait;
              timer = setTimeout(flush, Math.max(wait, backoff(++failures)));
              break;
            }
            failures = 0;
          }
          running = 0;
          return out;
        })());
  return {
    _add: (e) => keep(queued().concat(e)),
    _flush: flush,
    _beacon() {
      const batch = next();
      if (marks._granted && batch[0]) persist(), send(batch, true);
    },
    _consent(granted) {
      marks._consent(granted);
      if (!granted || stored) store._consent(granted);
      granted ? flush() : (mem = []);
    },
  };
}
