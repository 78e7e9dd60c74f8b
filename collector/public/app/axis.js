// @ts-check
// The chart's time axis. The data is one point per UTC day, so the axis spans exactly
// the days charted, half a day of padding on each side (a single day is that day, its bar
// in the middle), and ticks on days, weeks, months, quarters or years, whichever is the
// finest that leaves room for each label. uPlot's own choice is not used: with one point
// on a time scale it stretches the range over a thousand days.

export const DAY = 86_400; // seconds, as uPlot's time scale counts

/** Room one tick label needs, in CSS pixels. */
const TICK_SPACE = 72;

/**
 * The x range for daily data from the first to the last day (epoch seconds of UTC midnights).
 * @param {number} first
 * @param {number} last
 * @returns {[number, number]}
 */
export function dayRange(first, last) {
  return [first - DAY / 2, last + DAY / 2];
}

/** @typedef {'day' | 'week' | 'month' | 'quarter' | 'year'} TickUnit */

/**
 * Candidate tick sets, finest first: each lists the ticks (epoch seconds) within [min, max].
 * @type {[TickUnit, (min: number, max: number) => number[]][]}
 */
const STEPS = [
  ['day', (min, max) => days(min, max, 1)],
  ['day', (min, max) => days(min, max, 2)],
  ['week', (min, max) => days(min, max, 7)],
  ['month', (min, max) => months(min, max, 1)],
  ['quarter', (min, max) => months(min, max, 3)],
  ['year', (min, max) => months(min, max, 12)],
];

/**
 * Every `step` days from the first midnight in range; weeks start on Mondays.
 * @param {number} min @param {number} max @param {number} step
 */
function days(min, max, step) {
  let t = Math.ceil(min / DAY) * DAY;
  if (step === 7) t += ((8 - new Date(t * 1000).getUTCDay()) % 7) * DAY;
  const ticks = [];
  for (; t <= max; t += step * DAY) ticks.push(t);
  return ticks;
}

/**
 * The first of every `step`-th month (January-aligned) in range.
 * @param {number} min @param {number} max @param {number} step
 */
function months(min, max, step) {
  const start = new Date(min * 1000);
  // months counted from year 0, so a step crosses years by itself
  let m = Math.ceil((start.getUTCFullYear() * 12 + start.getUTCMonth()) / step) * step;
  const monthStart = (/** @type {number} */ n) => Date.UTC(Math.floor(n / 12), n % 12, 1) / 1000;
  const ticks = [];
  for (let t = monthStart(m); t <= max; m += step, t = monthStart(m)) if (t >= min) ticks.push(t);
  return ticks;
}

const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const monthLabel = new Intl.DateTimeFormat(undefined, { month: 'short', timeZone: 'UTC' });
const monthYearLabel = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
const yearLabel = new Intl.DateTimeFormat(undefined, { year: 'numeric', timeZone: 'UTC' });

/**
 * Ticks and their labels for an x range `width` CSS pixels wide. Month ticks name the year
 * on the first tick and on every January.
 * @param {number} min
 * @param {number} max
 * @param {number} width
 * @returns {{ unit: TickUnit, ticks: number[], labels: string[] }}
 */
export function timeTicks(min, max, width) {
  const room = Math.max(2, Math.floor(width / TICK_SPACE));
  let step = 0;
  let ticks = STEPS[0][1](min, max);
  while (ticks.length > room && step < STEPS.length - 1) ticks = STEPS[++step][1](min, max);
  const unit = STEPS[step][0];
  const labels = ticks.map((t, i) => {
    const d = new Date(t * 1000);
    if (unit === 'day' || unit === 'week') return dayLabel.format(d);
    if (unit === 'year') return yearLabel.format(d);
    return (i === 0 || d.getUTCMonth() === 0 ? monthYearLabel : monthLabel).format(d);
  });
  return { unit, ticks, labels };
}
