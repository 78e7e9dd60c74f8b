// The retry queue (SPEC 3.4): every event is stored before it is sent and leaves storage
// only once the collector acknowledged it or refused it for good. Failed sends are retried
// with exponential backoff and jitter; the tracker also flushes on each page load and on
// the browser's `online` event, and beacons the queue on `pagehide`.
import { LIMITS } from './protocol/constants.js';
import type { BatchResult, TrackEvent } from './protocol/schema.js';
import type { Log } from './log.js';
import { QUEUE, attempt, readJson, type Store } from './storage.js';
import type { Sent } from './transport.js';

/**
 * A stored event: `n` attempts so far, next attempt not before `t` (epoch ms). Plain short
 * keys: the minifier renames `_` properties per build, and stored data must outlive a build.
 */
interface Entry {
  e: TrackEvent;
  n: number;
  t: number;
}

/** What became of an event in a flush: delivered, kept for a retry, or refused for good. */
export type Outcome = 'sent' | 'queued' | Error;

export interface Queue {
  _add(e: TrackEvent): void;
  /** Sends what is due (`all`: whatever its backoff) in one batch; the outcome per event ID. */
  _flush(all?: boolean): Promise<Record<string, Outcome>>;
  /** The page is going away: beacon what is queued, keeping it until acknowledged. */
  _beacon(): void;
}

export type Sender = (events: TrackEvent[], beacon?: boolean) => Promise<Sent>;

/** Most events kept; past it the oldest is dropped. */
export const MAX_EVENTS = 100;
/** JSON characters in one batch: under the 64 KiB of a keepalive request or a beacon. */
const BATCH_CHARS = 30000;
/** Answers a retry cannot fix: bad request, unauthorized, forbidden, unknown customer, gone, too large, unprocessable. */
export const FINAL = [400, 401, 403, 404, 410, 413, 422];

/** Wait before attempt `n + 1`: 2 s doubling up to 5 min, times a jitter of 0.5–1 so browsers don't retry in step. */
export const backoff = (n: number, random: () => number): number => Math.round(Math.min(1e3 * 2 ** n, 3e5) * (0.5 + random() / 2));

export function createQueue(store: Store, send: Sender, log: Log, now: () => number, random: () => number): Queue {
  const sending: Record<string, number> = {};
  // Set when storage refuses the queue (quota): this page keeps it in memory instead.
  let memory: Entry[] | undefined;
  let timer: ReturnType<typeof setTimeout>;

  // Anything but a list of entries (another script wrote there) counts as empty.
  const load = (): Entry[] => memory || attempt(() => (readJson(store, QUEUE) || []).filter((x: Entry) => x.e.id)) || [];

  const save = (q: Entry[]) => {
    if (memory || !(q.length ? store._set(QUEUE, JSON.stringify(q)) : (store._del(QUEUE), 1))) {
      if (!memory) log._debug('storage refused the retry queue; kept in memory on this page');
      memory = q;
    }
  };

  const drop = (e: TrackEvent, why: string) => log._warn(`${e.type} ${e.id} dropped: ${why}`);

  /** Events due, not already on their way, oldest first, up to one batch. */
  const due = (all?: boolean) => {
    let chars = 0;
    return load()
      .filter((x) => !sending[x.e.id] && (all || x.t <= now()) && chars < BATCH_CHARS && (chars += JSON.stringify(x.e).length))
      .slice(0, LIMITS.batchEvents)
      .map((x) => x.e);
  };

  async function flush(all?: boolean) {
    const out: Record<string, Outcome> = {};
    const events = due(all);
    if (!events.length) return out;
    events.forEach((e) => (sending[e.id] = 1));
    log._debug('sending', events);
    const r = await send(events);
    const ok = r.status > 199 && r.status < 300;
    const answer = (r.body || {}) as Partial<BatchResult> & { message?: string };
    const refused = Error(`collector answered ${r.status}${answer.message ? ': ' + answer.message : ''}`);
    log._debug('answer', r.status, r.body);
    events.forEach((e) => {
      sending[e.id] = 0;
      out[e.id] = ok ? 'sent' : FINAL.indexOf(r.status) < 0 ? 'queued' : refused;
    });
    if (ok) (Array.isArray(answer.rejected) ? answer.rejected : []).forEach((x) => events[x.index] && (out[events[x.index].id] = Error(`${x.field}: ${x.reason}`)));
    let retry = Infinity;
    // Re-read: another tab, or an add() meanwhile, may have changed the stored queue.
    save(
      load().filter((x) => {
        const o = out[x.e.id];
        if (o == 'queued') {
          x.t = now() + backoff(++x.n, random);
          retry = Math.min(retry, x.t);
          log._debug(`retry ${x.n} of ${x.e.id} in ${x.t - now()} ms`);
        } else if (o && o != 'sent') drop(x.e, o.message);
        return !o || o == 'queued';
      }),
    );
    if (retry < Infinity) {
      clearTimeout(timer);
      timer = setTimeout(flush, retry - now());
    }
    return out;
  }

  return {
    _add(e) {
      const q = load().filter((x) => x.e.id != e.id);
      q.push({ e, n: 0, t: 0 });
      q.splice(0, q.length - MAX_EVENTS).forEach((x) => drop(x.e, `retry queue full (${MAX_EVENTS} events)`));
      save(q);
      log._debug('queued', e.id);
    },
    _flush: flush,
    _beacon() {
      const events = due(true);
      if (events.length) {
        log._debug('page hidden: beacon', events);
        void send(events, true);
      }
    },
  };
}
