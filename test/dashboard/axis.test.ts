// The chart's time axis: one day of data shows that day, a year shows months.
import { describe, expect, it } from 'vitest';
import { DAY, dayRange, timeTicks } from '../../collector/public/app/axis.js';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 1000;
const iso = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
const DESKTOP = 1200;
const PHONE = 320;

describe('the chart time axis', () => {
  it('shows one day of data as that day, with half a day on each side', () => {
    const [min, max] = dayRange(day('2025-03-05'), day('2025-03-05'));
    expect([min, max]).toEqual([day('2025-03-05') - DAY / 2, day('2025-03-05') + DAY / 2]);
    const axis = timeTicks(min, max, DESKTOP);
    expect(axis.unit).toBe('day');
    expect(axis.ticks.map(iso)).toEqual(['2025-03-05']);
    expect(axis.labels).toEqual([new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date('2025-03-05'))]);
  });

  it('shows a year as months, naming the year on the first tick and each January', () => {
    const [min, max] = dayRange(day('2024-07-01'), day('2025-06-30'));
    const axis = timeTicks(min, max, DESKTOP);
    expect(axis.unit).toBe('month');
    expect(axis.ticks.map(iso)).toEqual([
      '2024-07-01', '2024-08-01', '2024-09-01', '2024-10-01', '2024-11-01', '2024-12-01',
      '2025-01-01', '2025-02-01', '2025-03-01', '2025-04-01', '2025-05-01', '2025-06-01',
    ]);
    const withYear = axis.labels.map((label) => /\d{4}/.test(label));
    expect(withYear).toEqual([true, false, false, false, false, false, true, false, false, false, false, false]);
  });

  it('shows a year on a phone as quarters', () => {
    const [min, max] = dayRange(day('2025-01-01'), day('2025-12-31'));
    const axis = timeTicks(min, max, PHONE);
    expect(axis.unit).toBe('quarter');
    expect(axis.ticks.map(iso)).toEqual(['2025-01-01', '2025-04-01', '2025-07-01', '2025-10-01']);
  });

  it('shows a week as days, two months as Mondays, and a decade as years', () => {
    const week = timeTicks(...dayRange(day('2025-03-01'), day('2025-03-07')), DESKTOP);
    expect(week.ticks.map(iso)).toEqual(['2025-03-01', '2025-03-02', '2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06', '2025-03-07']);
    const twoMonths = timeTicks(...dayRange(day('2025-03-01'), day('2025-04-30')), DESKTOP);
    expect(twoMonths.unit).toBe('week');
    expect(twoMonths.ticks.every((t) => new Date(t * 1000).getUTCDay() === 1)).toBe(true);
    const decade = timeTicks(...dayRange(day('2016-01-01'), day('2025-12-31')), DESKTOP);
    expect(decade.unit).toBe('year');
    expect(decade.ticks.map(iso)[0]).toBe('2016-01-01');
    expect(decade.ticks).toHaveLength(10);
  });
});
