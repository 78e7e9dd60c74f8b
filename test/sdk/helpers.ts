// Shared fakes for the SDK tests: a recording fetch, a console spy, and a clean browser state.
import { vi } from 'vitest';
import type { Batch, BatchResult, ClickEvent, TrackEvent } from '../../src/protocol/schema.js';
import { createTracker, type Deps, type Options } from '../../src/index.js';

export const ENDPOINT = 'https://collector.example.com';
export const CUSTOMER = '112734771';

/** One answer of the fake collector: a status with an optional JSON body and headers, or a network failure. */
export type Answer = number | { status: number; body?: unknown; headers?: Record<string, string> } | Error;

export interface Call {
  url: string;
  init: RequestInit;
  batch: Batch;
}

/**
 * A fetch that records every request and plays `answers` in turn (the last one repeats).
 * A bare 200 acknowledges every event of the batch, as the collector does.
 */
export function fakeFetch(...answers: Answer[]) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    const batch = JSON.parse(String(init!.body)) as Batch;
    calls.push({ url: String(url), init: init!, batch });
    const a = answers.length > 1 ? answers.shift()! : (answers[0] ?? 200);
    if (a instanceof Error) throw a;
    const { status, body, headers } = typeof a == 'number' ? { status: a, body: undefined, headers: undefined } : a;
    const answer: unknown = body ?? (status == 200 ? ({ accepted: batch.events.length, duplicates: 0, rejected: [] } satisfies BatchResult) : undefined);
    return {
      status,
      headers: new Headers(headers),
      json: async () => {
        if (answer === undefined) throw new SyntaxError('Unexpected end of JSON input');
        return answer;
      },
    } as Response;
  });
  const sent = () => calls.flatMap((c) => c.batch.events);
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    calls,
    /** the carts and orders sent, in order */
    events: () => sent().filter((e): e is TrackEvent => e.type != 'click'),
    /** the clicks sent, in order */
    clicks: () => sent().filter((e): e is ClickEvent => e.type == 'click'),
  };
}

/** Spies on the console the SDK writes to; restored by vi.restoreAllMocks(). */
export function spyConsole() {
  return { log: vi.spyOn(console, 'log').mockImplementation(() => {}), warn: vi.spyOn(console, 'warn').mockImplementation(() => {}) };
}

/** Everything a tracker can leave behind: cookies, both web storages. */
export function browserState() {
  return { cookie: document.cookie, local: { ...localStorage }, session: { ...sessionStorage } };
}

export function clearBrowser() {
  vi.restoreAllMocks();
  for (const c of document.cookie.split('; ')) {
    const name = c.split('=')[0];
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
  localStorage.clear();
  sessionStorage.clear();
  history.replaceState(null, '', '/');
}

/** Opens a "page" of the shop: a landing URL, then a tracker with test seams (its own `online`/`pagehide` target). */
export function page(url: string, options: Partial<Options> = {}, deps: Deps = {}) {
  history.replaceState(null, '', url);
  const console = spyConsole();
  const events = new EventTarget();
  const tracker = createTracker({ customerId: CUSTOMER, endpoint: ENDPOINT, ...options }, { events, ...deps });
  return { tracker, console, events };
}

/** Lets pending Promise callbacks and awaited fakes run. */
export const settle = () => new Promise((r) => setTimeout(r, 0));

export const ORDER = {
  orderId: 'A-1001',
  total: '2999.00',
  currency: 'eur',
  items: [{ sku: 'SKU-1', name: 'Sofa', price: '2999.00' }],
};

export const storedQueue = (): TrackEvent[] => JSON.parse(localStorage.getItem('_et_queue') || '[]');

/** A cookie's value as the SDK wrote it (JSON, URI-encoded); null when there is none. */
export const storedCookie = (name: string): unknown => {
  const v = document.cookie.split('; ').find((c) => c.startsWith(name + '='));
  return v ? JSON.parse(decodeURIComponent(v.slice(name.length + 1))) : null;
};

/** The last order ID sent, as kept in its cookie. */
export const storedOrder = () => storedCookie('_et_order');

/** Counts the page's reads of window.localStorage: a page on which every send succeeds makes none. */
export function countLocalStorage() {
  const own = Object.getOwnPropertyDescriptor(window, 'localStorage')!;
  let n = 0;
  Object.defineProperty(window, 'localStorage', { configurable: true, get: () => (n++, own.get!.call(window)) });
  return { count: () => n, restore: () => Object.defineProperty(window, 'localStorage', own) };
}

/** Makes the browser refuse cookies, as with cookies blocked: navigator.cookieEnabled is false and writes vanish. */
export function refuseCookies() {
  Object.defineProperty(document, 'cookie', { configurable: true, get: () => '', set: () => {} });
  Object.defineProperty(navigator, 'cookieEnabled', { configurable: true, get: () => false });
  return () => {
    delete (document as { cookie?: string }).cookie;
    delete (navigator as { cookieEnabled?: boolean }).cookieEnabled;
  };
}

/** Fakes the clock (Date only: timers stay real). */
export const clockAt = (now: number) => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
};
