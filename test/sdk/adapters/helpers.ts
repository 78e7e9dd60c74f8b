// The adapters' tests: a page with a real tracker (source build, recording fetch) on
// window.emarsysTrack, then the adapters' entry run as its script tag would run it.
import { vi } from 'vitest';
import type { Api } from '../../../src/browser.js';
import { createTracker } from '../../../src/index.js';
import { CUSTOMER, ENDPOINT, clearBrowser, fakeFetch, settle, spyConsole } from '../helpers.js';

export const global = window as unknown as { emarsysTrack?: Partial<Api> & { q?: unknown[] }; dataLayer?: unknown[]; ScarabQueue?: unknown };

/** A fresh page: no tags, storage, globals or adapter state left by the test before. */
export function freshPage() {
  clearBrowser();
  document.head.replaceChildren();
  delete global.emarsysTrack;
  delete global.dataLayer;
  delete global.ScarabQueue;
  vi.resetModules();
}

/** The core tracker, loaded and initialized, sending through a recording fetch. */
export function tracker() {
  const net = fakeFetch();
  const console = spyConsole();
  global.emarsysTrack = createTracker({ customerId: CUSTOMER, endpoint: ENDPOINT }, { fetch: net.fetch, events: new EventTarget() });
  return { net, console };
}

/** Runs the adapters' entry, with a script tag carrying `attributes` on the page. */
export async function loadAdapters(...attributes: string[]) {
  const tag = document.createElement('script');
  for (const a of attributes) tag.setAttribute(a, '');
  document.head.append(tag);
  await import('../../../src/adapters/index.js');
  await settle();
}

export { settle };
