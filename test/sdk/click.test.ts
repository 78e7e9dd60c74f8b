// The click event (docs/sdk.md, "Clicks"): one per distinct click on a campaign link, with
// its parameters, the visitor and the landing path; never for a reload, a later page, or
// direct traffic; held like any event until consent.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ORDER, clearBrowser, clockAt, fakeFetch, page, settle } from './helpers.js';

const T0 = 1_700_000_000_000;

beforeEach(clearBrowser);
afterEach(() => vi.useRealTimers());

/** Opens `url` as a page and lets its sends finish. */
async function visit(url: string, net: ReturnType<typeof fakeFetch>, options = {}) {
  const p = page(url, options, { fetch: net.fetch });
  await settle();
  return p;
}

describe('the click event', () => {
  it('is sent once on landing, with the parameters, the visitor and the path without its query', async () => {
    const net = fakeFetch();
    clockAt(T0);
    await visit('/shop/sofa?emst=12.abc&sc_src=email_12&sc_uid=abc&q=secret#top', net);
    const [click] = net.clicks();
    expect(net.clicks()).toHaveLength(1);
    expect(click).toEqual({
      type: 'click',
      id: expect.any(String),
      time: T0,
      visitor: expect.any(String),
      attribution: { at: T0, emst: '12.abc', sc_src: 'email_12', sc_uid: 'abc' },
      path: '/shop/sofa',
    });
    // later events carry the same visitor and click
    const { tracker } = await visit('/thank-you', net);
    await tracker.order(ORDER);
    expect(net.events()[0]).toMatchObject({ visitor: click.visitor, attribution: click.attribution });
  });

  it('is not sent again on a reload, on later pages, or when the same link is opened again', async () => {
    const net = fakeFetch();
    clockAt(T0);
    await visit('/?sc_src=email_5&sc_uid=u', net);
    clockAt(T0 + 60_000);
    await visit('/?sc_src=email_5&sc_uid=u', net);
    await visit('/product', net);
    expect(net.clicks()).toHaveLength(1);
    // another link is another click, and the one that attributes from now on
    await visit('/?emst=6.u', net);
    expect(net.clicks().map((c) => c.attribution)).toEqual([
      { at: T0, sc_src: 'email_5', sc_uid: 'u' },
      { at: T0 + 60_000, emst: '6.u' },
    ]);
  });

  it('is not sent for direct traffic, nor for parameters that name no email campaign', async () => {
    const net = fakeFetch();
    await visit('/?q=sofa', net);
    await visit('/?utm_source=newsletter&utm_campaign=spring', net);
    await visit('/?sc_src=social&sc_uid=u', net);
    await visit('/?emst=.u', net);
    expect(net.calls).toHaveLength(0);
  });

  it('waits for consent: sent on grant, dropped on denial', async () => {
    const net = fakeFetch();
    const { tracker } = await visit('/?emst=7.u', net, { consent: 'pending' });
    expect(net.calls).toHaveLength(0);
    tracker.consent('granted');
    await settle();
    expect(net.clicks()).toHaveLength(1);

    clearBrowser();
    const denied = fakeFetch();
    const other = await visit('/?emst=8.u', denied, { consent: 'pending' });
    other.tracker.consent('denied');
    await settle();
    await visit('/?emst=8.u', denied, { consent: 'denied' });
    expect(denied.calls).toHaveLength(0);
    expect(localStorage.length + document.cookie.length).toBe(0);
  });

  it('is retried like any event, with the same ID', async () => {
    vi.useFakeTimers();
    const net = fakeFetch(500, 200);
    page('/?emst=9.u', {}, { fetch: net.fetch });
    await vi.advanceTimersByTimeAsync(5000);
    expect(net.calls.map((c) => c.batch.events.map((e) => e.type))).toEqual([['click'], ['click']]);
    expect(net.calls[1].batch.events[0].id).toBe(net.calls[0].batch.events[0].id);
  });
});
