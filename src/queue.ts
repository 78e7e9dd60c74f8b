// The retry queue (SPEC 3.4): every event is stored before it is sent and leaves storage
// only once the collector acknowledged it or refused it for good. After a failed send the
// queue is retried with exponential backoff and jitter; the tracker also flushes it on each
// page load, on each new event and on the browser's `online` event, and beacons it on
// `pagehide`.
import { LIMITS } from './protocol/constants.js';
import type { BatchResult, TrackEvent } from './protocol/schema.js';
import type { Log } from './log.js';
import { QUEUE, attempt, readJson, type Store } from './storage.js';
import type { Sent } from './transport.js';

/** What became of an event in a flush: delivered, kept for a retry, or refused for good. */
export type Outcome = 'sent' | 'queued' | Error;

export interface Queue {
  _add(e: TrackEvent): void;
  /** Sends everything queued, in batches; the outcome per event ID. */
  _flush(): Promise<Record<string, Outcome>>;
  /** The page is going away: beacon what is queued, keeping it until acknowledged. */
  _beacon(): void;
}

export type Sender = (events: TrackEvent[], beacon?: boolean) => Promise<Sent>;

/** Most events kept; past it the oldest is dropped. */
export const MAX_EVENTS = 100;
/** JSON characters in one batch: even in 3-byte UTF-8, under the 64 KiB of a keepalive request or a beacon. */
export const BATCH_CHARS = 2e4;
/** Answers a retry cannot fix: bad request, unauthorized, forbidden, unknown customer, gone, too large, unprocessable. */
export const FINAL = [400, 401, 403, 404, 410, 413, 422];

/** Wait after `n` failures in a row: 2 s doubling up to 5 min, times a jitter of 0.5–1 so browsers don't retry in step. */
export const backoff = (n: number, random: () => number): number => Math.round(Math.min(1e3 * 2 ** n, 3e5) * (0.5 + random() / 2));

export function createQueue(store: Store, send: Sender, log: Log, random: () => number): Queue {
  const sending: Record<string, number> = {};
  let failures = 0;
  let timer: ReturnType<typeof setTimeout>;
  // Set when storage refuses the queue (quota): this page keeps it in memory instead.
  let memory: TrackEvent[] | undefined;

  // Anything but a list of events (another script wrote there) counts as empty.
  const load = (): TrackEvent[] => memory || attempt(() => (readJson(store, QUEUE) || []).filter((e: TrackEvent) => e.id)) || [];
  const save = (q: TrackEvent[]) => {
    if (memory || !store._set(QUEUE, JSON.stringify(q))) memory = q;
  };
  const drop = (e: TrackEvent, why: string) => log._warn(`${e.type} ${e.id} dropped: ${why}`);

  /** Queued events not already on their way, oldest first, up to one batch. */
  const next = () => {
    let chars = 0;
    return load()
      .filter((e) => !sending[e.id] && chars < BATCH_CHARS && (chars += JSON.stringify(e).length))
      .slice(0, LIMITS.batchEvents);
  };

  async function flush() {
    const out: Record<string, Outcome> = {};
    for (let batch = next(); batch.length; batch = next()) {
      batch.forEach((e) => (sending[e.id] = 1));
      log._debug('sending', batch);
      const r = await send(batch);
      const answer = (r.body || {}) as Partial<BatchResult> & { message?: string };
      const ok = r.status > 199 && r.status < 300;
      const retry = !ok && FINAL.indexOf(r.status) < 0;
      log._debug('answer', r.status, r.body);
      batch.forEach((e) => {
        sending[e.id] = 0;
        out[e.id] = retry ? 'queued' : ok ? 'sent' : Error(`collector answered ${r.status}${answer.message ? ': ' + answer.message : ''}`);
      });
      if (ok && Array.isArray(answer.rejected)) answer.rejected.forEach((x) => batch[x.index] && (out[batch[x.index].id] = Error(`${x.field}: ${x.reason}`)));
      // Re-read: another tab, or an add() meanwhile, may have changed the stored queue.
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
        log._debug(`retry ${failures} in ${wait} ms`);
        timer = setTimeout(flush, wait);
        break;
      }
      failures = 0;
    }
    return out;
  }

  return {
    _add(e) {
      const q = load().concat(e);
      q.splice(0, q.length - MAX_EVENTS).forEach((x) => drop(x, `retry queue full (${MAX_EVENTS} events)`));
      save(q);
      log._debug('queued', e.id);
    },
    _flush: flush,
    _beacon() {
      const batch = next();
      if (batch.length) {
        log._debug('beacon', batch);
        void send(batch, true);
      }
    },
  };
}
