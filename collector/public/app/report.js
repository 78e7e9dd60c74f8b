// @ts-check
// One report view in the panel: its table, a page of rows at a time, the CSV link for the
// same query, and (on the Results Summary) the chart.
import { getReport, reportUrl } from './api.js';
import { byId, showMessage } from './dom.js';
import { COLUMNS } from './columns.js';
import { count } from './format.js';
import { destroyChart, renderChart } from './chart.js';
import { filterKey, filterParams, go } from './state.js';
import { renderTable } from './table.js';
import { DEFAULT_VIEW, findView } from './views.js';

/** @template R @typedef {import('./api.js').ReportPage<R>} ReportPage */

const PAGE_SIZE = 50;
const panelTitle = byId('panel-title');
const message = byId('panel-message');
const csv = byId('csv', HTMLAnchorElement);
const table = byId('table');
const figure = byId('chart');
const chartCanvas = byId('chart-canvas');
const pager = byId('pager');
const pagerRange = byId('pager-range');
const first = byId('pager-first', HTMLButtonElement);
const prev = byId('pager-prev', HTMLButtonElement);
const next = byId('pager-next', HTMLButtonElement);

/**
 * Cursors of the pages seen, so "Previous page" can go back without the API paging backwards;
 * kept in the tab's sessionStorage too, so a reload keeps "Previous page" working.
 */
const CURSORS_KEY = 'emarsys-track:cursors';
/** @type {Map<string, string>} */
const cursors = new Map(storedCursors());

/** @returns {[string, string][]} */
function storedCursors() {
  try {
    const list = JSON.parse(sessionStorage.getItem(CURSORS_KEY) ?? '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/** @param {string} key @param {string} cursor */
function keepCursor(key, cursor) {
  cursors.set(key, cursor);
  try {
    sessionStorage.setItem(CURSORS_KEY, JSON.stringify([...cursors].slice(-200)));
  } catch {
    // storage refused: "Previous page" still works until a reload
  }
}
/** @type {AbortController | undefined} */
let controller;
/** @type {string | undefined} the state key on display: the zoom opening and closing must not refetch */
let rendered;

/**
 * @param {import('./state.js').State} state
 * @param {import('./api.js').User} customer
 */
export async function renderReport(state, customer) {
  const key = `${filterKey(state)}\u0000${state.cursor}`;
  if (key === rendered) return;
  rendered = key;
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  const view = findView(state.view) ?? DEFAULT_VIEW;
  /** @type {import('./columns.js').Column<any>[]} the rows the API answers for this view */
  const columns = COLUMNS[view.id];
  const params = filterParams(state);

  panelTitle.textContent = view.title;
  csv.href = reportUrl(customer.customerId, state.view, { ...params, format: 'csv' });
  csv.hidden = false;
  csv.setAttribute('download', `${state.view}.csv`);
  showMessage(message, 'Loading…');
  table.setAttribute('aria-busy', 'true');
  if (!view.chart) hideChart();

  try {
    /** @type {Promise<ReportPage<unknown>>} */
    const rows = getReport(customer.customerId, state.view, { ...params, limit: PAGE_SIZE, cursor: state.cursor }, signal);
    /** @type {Promise<ReportPage<import('./api.js').DayRow>> | undefined} */
    const days = view.chart ? getReport(customer.customerId, view.chart, params, signal) : undefined;
    // the chart on its own: a range it cannot draw (over 3660 days) leaves the table standing
    const [page, series] = await Promise.all([rows, days?.catch((err) => /** @type {Error} */ (err))]);
    let chartNote = '';
    if (series instanceof Error) {
      if (series.name === 'AbortError') return;
      hideChart();
      chartNote = `The chart could not be drawn: ${series.message}. `;
    } else if (series) await renderChart(figure, chartCanvas, series.rows, customer.currency, signal);
    if (signal.aborted) return;
    const lag = page.dataUpTo ? `Data up to ${page.dataUpTo.toLocaleTimeString()}: newer events are still being processed. ` : '';
    showMessage(message, chartNote + lag + (page.rows.length ? '' : 'Nothing matches these filters yet.'));
    table.replaceChildren(...(page.rows.length ? [renderTable(columns, page.rows, { currency: customer.currency }, view.caption)] : []));
    renderPager(state, page);
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') return;
    if (rendered === key) rendered = undefined; // a retry fetches again
    // nothing of the view before stays under this one's title
    table.replaceChildren();
    pager.hidden = true;
    // the same query as a CSV would fail too, as a download that says nothing
    csv.hidden = true;
    hideChart();
    throw err;
  } finally {
    if (!signal.aborted) table.removeAttribute('aria-busy');
  }
}

/** No chart under the table: none for this view, or none that could be drawn. */
function hideChart() {
  destroyChart();
  figure.hidden = true;
}

/** The next render fetches its report again, though the same one is on display (Apply, a tab chosen again). */
export function reloadReport() {
  rendered = undefined;
}

/** Forgets what is on display, e.g. after a logout. */
export function resetReport() {
  controller?.abort();
  rendered = undefined;
  cursors.clear();
  try {
    sessionStorage.removeItem(CURSORS_KEY);
  } catch {
    // nothing stored
  }
  table.replaceChildren();
  destroyChart();
}

/**
 * @param {import('./state.js').State} state
 * @param {ReportPage<unknown>} page
 */
function renderPager(state, page) {
  const fk = filterKey(state);
  const start = (state.page - 1) * PAGE_SIZE;
  const multi = state.page > 1 || page.next;
  pager.hidden = !multi;
  if (!multi) return;
  keepCursor(`${fk}\u0000${state.page}`, state.cursor);
  pagerRange.textContent = `Rows ${count(start + 1)}–${count(start + page.rows.length)} of ${count(page.total)}`;
  const prevCursor = state.page === 2 ? '' : cursors.get(`${fk}\u0000${state.page - 1}`);
  first.disabled = state.page === 1;
  prev.disabled = state.page === 1 || prevCursor === undefined;
  next.disabled = !page.next;
  first.onclick = () => go({ page: 1, cursor: '' });
  prev.onclick = () => go({ page: state.page - 1, cursor: prevCursor });
  next.onclick = () => go({ page: state.page + 1, cursor: page.next ?? '' });
}
