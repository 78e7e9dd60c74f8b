// The one list of views and what is derived from it: the URL hash, the columns, the zoom,
// and the chart's daily series.
import { describe, expect, it } from 'vitest';
import { dailySeries } from '../../collector/public/app/series.js';
import { COLUMNS } from '../../collector/public/app/columns.js';
import { readState, toHash } from '../../collector/public/app/state.js';
import { VIEWS, ZOOMS } from '../../collector/public/app/views.js';

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
  it('adds each day’s revenue exactly, in the charted currency only, with empty days as zero', () => {
    const row = (date: string, currency: string, revenue: number, abandonedCarts: number) =>
      ({ date, currency, revenue, orders: 1, abandonedCarts, abandonedValue: 0 });
    const series = dailySeries(
      [row('2025-03-01', 'EUR', 0.1, 1), row('2025-03-01', 'EUR', 0.2, 0), row('2025-03-01', 'USD', 99, 2), row('2025-03-03', 'EUR', 5, 0)],
      'EUR',
    );
    expect(series.days.map((t) => new Date(t * 1000).toISOString().slice(0, 10))).toEqual(['2025-03-01', '2025-03-02', '2025-03-03']);
    expect(series.revenue).toEqual([3_000n, 0n, 50_000n]);
    expect(series.abandoned).toEqual([3, 0, 0]);
  });
});
