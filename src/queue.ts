// The retry queue (SPEC 3.4): every event is stored before it is sent and leaves storage
// only once the collector acknowledged it or refused it for good. After a failed send the
// queue is retried with exponential backoff and jitter; the tracker also flushes it on each
// page load, on each new event and on the browser's `online` event, and beacons it on
// `pagehide`. One flush runs at a time: a flush asked for meanwhile joins the running one,
// which keeps sending until the queue is empty or a send fails.
import type { TrackEvent } from './protocol/schema.js';
import { type Debug, warn } from './log.js';
import { QUEUE, attempt, type Store } from './storage.js';
import type { Sent } from './transport.js';

/** What became of each event of a flush, by event ID: delivered, kept for a retry, or refused for good. */
export type Outcomes = Record<string, 'sent' | 'queued' | Error>;

export interface Queue {
  _add(e: TrackEvent): void;
  /** Sends everything queued, in batches; the outcome per event ID. */
  _flush(): Promise<Outcomes>;
  /** The page is going away: beacon what is queued, keeping it until acknowledged. */
  _beacon(): void;
}

export type Sender = (events: TrackEvent[], beacon?: boolean) => Promise<Sent>;

/** Most events kept, and sent in one batch; past it the oldest is dropped. */
export const MAX_EVENTS = 100;
/** Answers a retry cannot fix: bad request, unauthorized, forbidden, unknown customer, gone, too large, unprocessable. */
export const FINAL = [400, 401, 403, 404, 410, 413, 422];

/** Wait after `n` failures in a row: 2 s doubling up to 5 min, times a jitter of 0.5–1 so browsers don't retry in step. */
export const backoff = (n: number, random: () => number): number => Math.min(1e3 * 2 ** n, 3e5) * (0.5 + random() / 2);

export function createQueue(store: Store, send: Sender, log: Debug, random: () => number): Queue {
  let failures = 0;
  let timer: ReturnType<typeof setTimeout>;
  let running: Promise<Outcomes> | 0;

  // Anything but a list of events (another script wrote there) counts as empty.
  const load = (): TrackEvent[] => attempt(() => JSON.parse(store._get(QUEUE)!).filter((e: TrackEvent) => e.id)) || [];
  const save = (q: TrackEvent[]) => store._set(QUEUE, JSON.stringify(q));
  const drop = (e: TrackEvent, why: string) => warn(`${e.type} ${e.id} dropped: ${why}`);

  /** The oldest queued events, up to one batch: 100 events, about 20,000 characters (under the 64 KiB of a keepalive request or a beacon). */
  const next = () => {
    let chars = 0;
    return load()
      .filter((e) => chars < 2e4 && (chars += JSON.stringify(e).length))
      .slice(0, MAX_EVENTS);
  };

  const flush = (): Promise<Outcomes> =>
    (running ||= (async () => {
      const out: Outcomes = {};
      // Never settles synchronously, so `running` is set before it is cleared.
      await 0;
      for (let batch; (batch = next())[0]; ) {
        const { status, body } = await send(batch);
        const ok = status > 199 && status < 300;
        const retry = !ok && !FINAL.includes(status);
        log('sent', batch, status, body);
        for (const e of batch) out[e.id] = retry ? 'queued' : ok ? 'sent' : Error(`collector answered ${status}${body?.message ? ': ' + body.message : ''}`);
        if (ok) for (const x of body?.rejected || []) if (batch[x.index]) out[batch[x.index].id] = Error(x.field + ': ' + x.reason);
        // Re-read: another tab, or an _add() meanwhile, may have changed the stored queue.
        save(
          load().filter((e) => {
            const o = out[e.id];
            if (o instanceof Error) drop(e, o.message);
            return !o || o == 'queued';
          }),
        );
        clearTimeout(timer);
        if (retry) {
          const wait = backoff(++failures, random);
          log('retry in', wait);
          timer = setTimeout(flush, wait);
          break;
        }
        failures = 0;
      }
      running = 0;
      return out;
    })());

  return {
    _add(e) {
      const q = load().concat(e);
      for (const x of q.splice(0, q.length - MAX_EVENTS)) drop(x, 'queue full');
      save(q);
    },
    _flush: flush,
    _beacon() {
      const batch = next();
      if (batch[0]) send(batch, true);
    },
  };
}
