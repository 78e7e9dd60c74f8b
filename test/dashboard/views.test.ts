// The one list of views and what is derived from it: the URL hash, the columns, the zoom,
// and the chart's daily series.
import { describe, expect, it } from 'vitest';
import { dailySeries } from '../../collector/public/app/series.js';
import { ATTRIBUTION, COLUMNS, attributionText, orderStatus } from '../../collector/public/app/columns.js';
import { readState, toHash } from '../../collector/public/app/state.js';
import { VIEWS, ZOOMS } from '../../collector/public/app/views.js';
import { waitText } from '../../collector/public/app/format.js';

describe('the list of views', () => {
  it('gives every view its columns, and the zoom only views of the list', () => {
    expect(Object.keys(COLUMNS)).toEqual(VIEWS.map((v) => v.id));
    for (const zoom of Object.values(ZOOMS)) expect(VIEWS.map((v) => v.id)).toContain(zoom.view);
  });

  it('reads a view from the hash only if it is in the list, and a zoom only of a known kind', () => {
    expect(readState('#view=items').view).toBe('items');
    expect(readState('#view=nonsense').view).toBe(VIEWS[0].id);
    expect(readState('#zoom=order:A:1').zoom).toEqual({ kind: 'order', id: 'A:1' });
    expect(readState('#zoom=cart:K-7').zoom).toEqual({ kind: 'cart', id: 'K-7' });
    expect(readState('#zoom=refund:R-1').zoom).toBeUndefined();
    const state = readState('#view=orders&from=2025-01-01&all=1&zoom=order:A-1001');
    expect(readState(toHash(state))).toEqual(state);
  });
});

describe('the chart series', () => {
  it('adds each day’s gross, refunded and net revenue exactly, in the charted currency only, with empty days as zero', () => {
    const row = (date: string, currency: string, revenue: number, refunded: number, abandonedCarts: number) =>
      ({ date, currency, revenue, refunded, netRevenue: 0, orders: 1, abandonedCarts, abandonedValue: 0 });
    const series = dailySeries(
      [row('2025-03-01', 'EUR', 0.1, 0.1, 1), row('2025-03-01', 'EUR', 0.2, 0, 0), row('2025-03-01', 'USD', 99, 9, 2), row('2025-03-03', 'EUR', 5, 0.3, 0)],
      'EUR',
    );
    expect(series.days.map((t) => new Date(t * 1000).toISOString().slice(0, 10))).toEqual(['2025-03-01', '2025-03-02', '2025-03-03']);
    expect(series.gross).toEqual([3_000n, 0n, 50_000n]);
    expect(series.refunded).toEqual([1_000n, 0n, 3_000n]);
    // 0.3 − 0.1 and 5 − 0.3, where floats would write 0.19999999999999998 and 4.7
    expect(series.net).toEqual([2_000n, 0n, 47_000n]);
    expect(series.abandoned).toEqual([3, 0, 0]);
  });
});

describe('orders: attribution and refunds', () => {
  const order = (refunded: number, netTotal: number, cancelledAt: string | null = null) => ({
    time: '2025-03-01T10:00:00.000Z', orderId: 'A-1', source: 'sdk', email: null, contactUid: null, campaignId: '1', campaignName: null,
    total: refunded + netTotal, currency: 'EUR', tax: null, shipping: null, city: null, country: null, itemCount: 1,
    attribution: 'cookie' as const, clickAt: null, refunded, netTotal, cancelledAt,
  });

  it('marks a refunded or cancelled order in words', () => {
    expect(orderStatus(order(0, 10))).toBeNull();
    expect(orderStatus(order(0.01, 9.99))).toBe('Partly refunded');
    expect(orderStatus(order(10, 0))).toBe('Refunded');
    expect(orderStatus(order(10, 0, '2025-03-02T10:00:00.000Z'))).toBe('Cancelled');
  });

  it('names every attribution method, direct traffic included', () => {
    expect(Object.keys(ATTRIBUTION)).toEqual(['cookie', 'visitor', 'contact', 'emst', 'api', 'none']);
    expect(attributionText(null)).toBe('Direct');
    expect(attributionText('visitor')).toBe('Same visitor');
  });
});

describe('waitText', () => {
  it("says a login throttle's Retry-After in words", () => {
    expect([1, 5, 59, 60, 61, 900].map(waitText)).toEqual(['1 second', '5 seconds', '59 seconds', '1 minute', '2 minutes', '15 minutes']);
  });
});
