// One report view in the panel: its table, a page of rows at a time, the CSV link for the
// same query, and (on the Results Summary) the chart.
import { getReport, reportUrl } from './api.js';
import { byId, showMessage } from './dom.js';
import { REPORTS } from './columns.js';
import { count } from './format.js';
import { destroyChart, renderChart } from './chart.js';
import { filterKey, filterParams, go } from './state.js';
import { renderTable } from './table.js';

const PAGE_SIZE = 50;
const panelTitle = byId('panel-title');
const message = byId('panel-message');
const csv = byId('csv');
const table = byId('table');
const figure = byId('chart');
const chartCanvas = byId('chart-canvas');
const pager = byId('pager');
const pagerRange = byId('pager-range');
const first = byId('pager-first');
const prev = byId('pager-prev');
const next = byId('pager-next');

// Cursors of the pages seen, so "Previous page" can go back without the API paging backwards.
const cursors = new Map();
let controller;
let rendered; // the state key on display: the zoom opening and closing must not refetch

export async function renderReport(state, customer) {
  const key = `${filterKey(state)}\u0000${state.cursor}`;
  if (key === rendered) return;
  rendered = key;
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  const report = REPORTS[state.view];
  const params = filterParams(state);

  panelTitle.textContent = report.title;
  csv.href = reportUrl(customer.customerId, state.view, { ...params, format: 'csv' });
  csv.setAttribute('download', `${state.view}.csv`);
  showMessage(message, 'Loading…');
  table.setAttribute('aria-busy', 'true');
  if (state.view !== 'summary') {
    destroyChart();
    figure.hidden = true;
  }

  try {
    const [page, series] = await Promise.all([
      getReport(customer.customerId, state.view, { ...params, limit: PAGE_SIZE, cursor: state.cursor }, signal),
      state.view === 'summary' ? getReport(customer.customerId, 'timeseries', params, signal) : undefined,
    ]);
    if (series) await renderChart(figure, chartCanvas, series.rows, customer.currency, signal);
    if (signal.aborted) return;
    const lag = page.dataUpTo ? `Data up to ${page.dataUpTo.toLocaleTimeString()}: newer events are still being processed. ` : '';
    showMessage(message, lag + (page.rows.length ? '' : 'Nothing matches these filters yet.'));
    table.replaceChildren(...(page.rows.length ? [renderTable(report.columns, page.rows, { currency: customer.currency }, report.caption)] : []));
    renderPager(state, page);
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (rendered === key) rendered = undefined; // a retry fetches again
    throw err;
  } finally {
    if (!signal.aborted) table.removeAttribute('aria-busy');
  }
}

/** Forgets what is on display, e.g. after a logout. */
export function resetReport() {
  controller?.abort();
  rendered = undefined;
  cursors.clear();
  table.replaceChildren();
  destroyChart();
}

function renderPager(state, page) {
  const fk = filterKey(state);
  const start = (state.page - 1) * PAGE_SIZE;
  const multi = state.page > 1 || page.next;
  pager.hidden = !multi;
  if (!multi) return;
  cursors.set(`${fk}\u0000${state.page}`, state.cursor);
  pagerRange.textContent = `Rows ${count(start + 1)}–${count(start + page.rows.length)} of ${count(page.total)}`;
  const prevCursor = state.page === 2 ? '' : cursors.get(`${fk}\u0000${state.page - 1}`);
  first.disabled = state.page === 1;
  prev.disabled = state.page === 1 || prevCursor === undefined;
  next.disabled = !page.next;
  first.onclick = () => go({ page: 1, cursor: '' });
  prev.onclick = () => go({ page: state.page - 1, cursor: prevCursor });
  next.onclick = () => go({ page: state.page + 1, cursor: page.next });
}
