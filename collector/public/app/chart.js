// Revenue (bars, left axis) and abandoned carts (line, right axis) per UTC day, drawn by
// uPlot, which is loaded only when the chart is first shown.
import { h } from './dom.js';
import { count, dayText, money } from './format.js';

const DAY = 86_400;
const shortDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
let uPlotModule;
let plot;
let resizeObserver;

/**
 * The currency whose revenue is charted: amounts in different currencies cannot share an
 * axis, so the account's default wins when it has revenue, else the most used one.
 */
function chartCurrency(rows, preferred) {
  const used = new Map();
  for (const r of rows) if (Number(r.revenue) > 0) used.set(r.currency, (used.get(r.currency) ?? 0) + 1);
  if (!used.size || used.has(preferred)) return preferred;
  return [...used].sort((a, b) => b[1] - a[1])[0][0];
}

/** Every day from the first to the last, zero where the collector had no row; carts of every currency count. */
function dailySeries(rows, currency) {
  const t = (r) => Date.parse(`${r.date}T00:00:00Z`) / 1000;
  const revenue = new Map();
  const abandoned = new Map();
  for (const r of rows) {
    if (r.currency === currency) revenue.set(t(r), (revenue.get(t(r)) ?? 0) + Number(r.revenue));
    abandoned.set(t(r), (abandoned.get(t(r)) ?? 0) + Number(r.abandonedCarts));
  }
  const days = rows.map(t);
  const first = Math.min(...days);
  const last = Math.max(...days);
  const data = [[], [], []];
  for (let day = first; day <= last; day += DAY) {
    data[0].push(day);
    data[1].push(revenue.get(day) ?? 0);
    data[2].push(abandoned.get(day) ?? 0);
  }
  return data;
}

export async function renderChart(figure, canvasHost, rows, defaultCurrency, signal) {
  destroyChart();
  figure.hidden = false;
  canvasHost.replaceChildren();
  if (!rows.length) {
    canvasHost.append(h('p', { class: 'muted chart-empty' }, 'No revenue or abandoned carts in this range.'));
    return;
  }
  const currency = chartCurrency(rows, defaultCurrency);
  const data = dailySeries(rows, currency);
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  const others = [...new Set(rows.filter((r) => r.currency !== currency && Number(r.revenue) > 0).map((r) => r.currency))];
  const firstDay = new Date(data[0][0] * 1000).toISOString().slice(0, 10);
  const lastDay = new Date(data[0][data[0].length - 1] * 1000).toISOString().slice(0, 10);
  canvasHost.append(
    h('p', { class: 'chart-summary' },
      `${money(sum(data[1]), currency)} revenue and ${count(sum(data[2]))} abandoned carts, ${dayText(firstDay)} – ${dayText(lastDay)}.`,
      others.length ? ` Revenue in ${others.join(', ')} is in the tables, not in the chart.` : ''),
  );

  uPlotModule ??= (await import('/vendor/uplot/uPlot.esm.js')).default;
  if (signal.aborted) return; // the view changed while uPlot loaded
  const uPlot = uPlotModule;
  const moneyValue = (_u, v) => (v === null ? '' : money(v, currency));
  const countValue = (_u, v) => (v === null ? '' : count(v));
  plot = new uPlot(
    {
      width: Math.max(280, canvasHost.clientWidth),
      height: 240,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: {
        x: { time: true, range: (_u, min, max) => [min - DAY / 2, max + DAY / 2] },
        money: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        carts: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
      },
      series: [
        { label: 'Day', value: (_u, ts) => (ts === null ? '' : dayText(new Date(ts * 1000).toISOString().slice(0, 10))) },
        {
          label: `Revenue (${currency})`,
          scale: 'money',
          value: moneyValue,
          stroke: '#1769aa',
          fill: 'rgba(23, 105, 170, 0.35)',
          paths: uPlot.paths.bars({ size: [0.6, 48] }),
          points: { show: false },
        },
        { label: 'Abandoned carts', scale: 'carts', value: countValue, stroke: '#d9480f', width: 2, points: { size: 7 } },
      ],
      axes: [
        // one tick per day, or per few days when they would crowd: the data is daily
        {
          space: 56,
          splits: (u, _i, min, max) => {
            const step = DAY * Math.max(1, Math.ceil(((max - min) / DAY) / Math.max(1, Math.floor(u.bbox.width / devicePixelRatio / 64))));
            const ticks = [];
            for (let t = Math.ceil(min / DAY) * DAY; t <= max; t += step) ticks.push(t);
            return ticks;
          },
          values: (_u, ticks) => ticks.map((t) => shortDay.format(new Date(t * 1000))),
        },
        { scale: 'money', values: (_u, ticks) => ticks.map((t) => money(t, currency)), size: 80 },
        { scale: 'carts', side: 1, grid: { show: false }, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? count(t) : '')) },
      ],
    },
    data,
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
