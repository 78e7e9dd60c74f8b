// @ts-check
// Net revenue (bars) and refunds (dashed line) on the left axis, abandoned carts (line) on
// the right, per UTC day, drawn by uPlot, which is loaded only when the chart is first shown.
// Net is what a campaign brought and kept; the refund line shows what returns took from it.
import { dayRange, timeTicks } from './axis.js';
import { h } from './dom.js';
import { count, dayText } from './format.js';
import { money, sumUnits, toUnits, unitsToNumber } from './money.js';
import { chartCurrency, dailySeries } from './series.js';

/** @typedef {import('./api.js').DayRow} DayRow */
/** @typedef {typeof import('/vendor/uplot/uPlot.esm.js')} UPlot */

/** @type {UPlot | undefined} */
let uPlotModule;
/** @type {InstanceType<UPlot> | undefined} */
let plot;
/** @type {ResizeObserver | undefined} */
let resizeObserver;

/**
 * @param {HTMLElement} figure
 * @param {HTMLElement} canvasHost
 * @param {DayRow[]} rows
 * @param {string} defaultCurrency
 * @param {AbortSignal} signal
 */
export async function renderChart(figure, canvasHost, rows, defaultCurrency, signal) {
  destroyChart();
  figure.hidden = false;
  canvasHost.replaceChildren();
  if (!rows.length) {
    canvasHost.append(h('p', { class: 'muted chart-empty' }, 'No revenue or abandoned carts in this range.'));
    return;
  }
  const currency = chartCurrency(rows, defaultCurrency);
  const series = dailySeries(rows, currency);
  const others = [...new Set(rows.filter((r) => r.currency !== currency && toUnits(r.revenue) > 0n).map((r) => r.currency))];
  const isoDay = (/** @type {number} */ t) => new Date(t * 1000).toISOString().slice(0, 10);
  const first = series.days[0] ?? 0;
  const last = series.days[series.days.length - 1] ?? first;
  canvasHost.append(
    h('p', { class: 'chart-summary' },
      `${money(sumUnits(series.net), currency)} net revenue (${money(sumUnits(series.gross), currency)} gross, ${money(sumUnits(series.refunded), currency)} refunded) and ${count(series.abandoned.reduce((a, b) => a + b, 0))} abandoned carts, ${dayText(isoDay(first))} – ${dayText(isoDay(last))}.`,
      others.length ? ` Revenue in ${others.join(', ')} is in the tables, not in the chart.` : ''),
  );

  uPlotModule ??= (await import('/vendor/uplot/uPlot.esm.js')).default;
  if (signal.aborted) return; // the view changed while uPlot loaded
  const uPlot = uPlotModule;
  const [xMin, xMax] = dayRange(first, last);
  /** @type {ReturnType<typeof timeTicks>} the x ticks drawn last, whose labels uPlot asks for next */
  let xTicks;
  plot = new uPlot(
    {
      width: Math.max(280, canvasHost.clientWidth),
      height: 240,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: {
        // fixed to the days charted: uPlot's own range for one day spans years
        x: { time: true, range: () => [xMin, xMax] },
        money: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        carts: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
      },
      series: [
        { label: 'Day', value: (_u, ts) => (ts === null ? '' : dayText(isoDay(ts))) },
        {
          label: `Net revenue (${currency})`,
          scale: 'money',
          // the day's exact sum, not the float that positions the bar
          value: (_u, _v, _s, i) => (i === null ? '' : money(series.net[i], currency)),
          stroke: '#1769aa',
          fill: 'rgba(23, 105, 170, 0.35)',
          paths: uPlot.paths.bars?.({ size: [0.6, 48] }),
          points: { show: false },
        },
        {
          label: `Refunded (${currency})`,
          scale: 'money',
          value: (_u, _v, _s, i) => (i === null ? '' : money(series.refunded[i], currency)),
          stroke: '#7a3e9d',
          width: 2,
          dash: [6, 4],
          points: { size: 6 },
        },
        { label: 'Abandoned carts', scale: 'carts', value: (_u, v) => (v === null ? '' : count(v)), stroke: '#d9480f', width: 2, points: { size: 7 } },
      ],
      axes: [
        {
          space: 56,
          splits: (u, _i, min, max) => (xTicks = timeTicks(min, max, u.bbox.width / devicePixelRatio)).ticks,
          values: () => xTicks.labels,
        },
        // as wide as its longest label (a fixed width cut "€1,000,000.00" to "000,000.00")
        { scale: 'money', values: (_u, ticks) => ticks.map((t) => money(t, currency)), size: axisWidth },
        { scale: 'carts', side: 1, grid: { show: false }, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? count(t) : '')) },
      ],
    },
    [series.days, series.net.map(unitsToNumber), series.refunded.map(unitsToNumber), series.abandoned],
    canvasHost,
  );
  resizeObserver = new ResizeObserver(() => plot?.setSize({ width: Math.max(280, canvasHost.clientWidth), height: 240 }));
  resizeObserver.observe(canvasHost);
}

export function destroyChart() {
  resizeObserver?.disconnect();
  resizeObserver = undefined;
  plot?.destroy();
  plot = undefined;
}

/**
 * The width of a value axis: its longest label in the font uPlot draws it with (sized for the
 * canvas's pixel ratio), plus its ticks and gap.
 * @param {InstanceType<UPlot>} u
 * @param {string[] | null} values
 * @param {number} axisIdx
 */
function axisWidth(u, values, axisIdx) {
  const axis = /** @type {any} */ (u.axes[axisIdx]);
  if (!values?.length) return 80;
  u.ctx.save();
  u.ctx.font = axis.font[0];
  const widest = Math.max(...values.map((v) => u.ctx.measureText(v).width));
  u.ctx.restore();
  return Math.ceil(widest / devicePixelRatio) + (axis.ticks?.size ?? 10) + (axis.gap ?? 5) + 4;
}
