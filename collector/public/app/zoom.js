// @ts-check
// The zoom from an order or a cart to its items, in a modal <dialog> (focus is kept
// inside it and returned on close by the browser). Its state is `zoom=` in the hash.
import { ApiError, getReport } from './api.js';
import { byId, h, showMessage } from './dom.js';
import { ZOOM_ITEM_COLUMNS, attributionText, campaignCell, orderStatus } from './columns.js';
import { count, dateTimeText } from './format.js';
import { money } from './money.js';
import { closeZoom } from './state.js';
import { renderTable } from './table.js';
import { ZOOMS } from './views.js';

/** @typedef {import('./api.js').OrderDetail | import('./api.js').CartDetail} Detail */

const dialog = byId('zoom', HTMLDialogElement);
const title = byId('zoom-title');
const facts = byId('zoom-facts');
const items = byId('zoom-items');
const message = byId('zoom-message');
/** @type {string | undefined} `${kind}:${id}` on display, so a re-render does not refetch */
let shown;
/** @type {AbortController | undefined} */
let controller;

/** Set when the dialog is closed for the app (a logout, an ended session), not by the user: the URL keeps its zoom. */
let keepZoom = false;

dialog.addEventListener('close', () => {
  shown = undefined;
  controller?.abort();
  if (!keepZoom && location.hash.includes('zoom=')) closeZoom();
  keepZoom = false;
});

/** @type {Record<string, string>} */
const CART_STATES = { open: 'Open', abandoned: 'Abandoned', ordered: 'Ordered', recovered: 'Recovered (ordered after it was abandoned)', empty: 'Empty' };

/**
 * Opens, refreshes or closes the dialog to match the state; errors go to onError.
 * @param {import('./views.js').Zoom | undefined} zoom
 * @param {import('./api.js').User} [customer] the logged-in user (none when closing)
 * @param {(err: unknown) => void} [onError]
 */
export async function syncZoom(zoom, customer, onError) {
  if (!zoom || !customer) {
    if (dialog.open) {
      keepZoom = !customer;
      dialog.close();
    }
    return;
  }
  const key = `${zoom.kind}:${zoom.id}`;
  if (key === shown) return;
  shown = key;
  controller?.abort();
  controller = new AbortController();
  title.textContent = `${ZOOMS[zoom.kind].label} ${zoom.id}`;
  facts.replaceChildren();
  items.replaceChildren();
  showMessage(message, 'Loading…');
  if (!dialog.open) dialog.showModal();
  try {
    /** @type {Detail} */
    const row = await getReport(customer.customerId, `${ZOOMS[zoom.kind].view}/${encodeURIComponent(zoom.id)}`, {}, controller.signal);
    showMessage(message, '');
    renderDetails(row, zoom);
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') return;
    if (err instanceof ApiError && err.status === 404) {
      showMessage(message, `No ${zoom.kind} with ID “${zoom.id}” in this account.`, 'error');
      return;
    }
    if (!(err instanceof ApiError && (err.status === 401 || err.status === 403))) {
      // said here, about this order or cart, not over the list (which loaded fine); opening it again retries
      shown = undefined;
      const why = err instanceof ApiError ? `it could not be loaded: ${err.message}` : 'the collector could not be reached';
      showMessage(message, `The ${zoom.kind} “${zoom.id}” is not shown: ${why}. Close this and open it again to retry.`, 'error');
      return;
    }
    // an ended session: the same zoom opens again after logging in
    keepZoom = err.status === 401;
    dialog.close();
    onError?.(err);
  }
}

/**
 * @param {Detail} row
 * @param {import('./views.js').Zoom} zoom
 */
function renderDetails(row, zoom) {
  const { currency } = row;
  /** @param {string} label @param {Node | string | null | undefined} value */
  const fact = (label, value) => (value === '' || value === undefined || value === null ? [] : [h('dt', {}, label), h('dd', {}, value)]);
  facts.replaceChildren(
    ...fact('Date', dateTimeText(row.time)),
    ...('cartId' in row
      ? [...fact('State', CART_STATES[row.state] ?? row.state), ...fact('Abandoned at', dateTimeText(row.abandonedAt)), ...fact('Closed by order', row.orderId)]
      : []),
    ...('source' in row
      ? [
          ...fact('Status', orderStatus(row)),
          ...fact('Cancelled at', dateTimeText(row.cancelledAt)),
          ...fact('Attributed by', attributionText(row.attribution)),
          ...fact('Click', dateTimeText(row.clickAt)),
        ]
      : []),
    ...fact('Contact email', row.email),
    ...fact('Campaign', campaignCell(row)),
    ...fact('cartId' in row ? 'Value left' : 'Value', money(row.total, currency)),
    ...('source' in row ? [...fact('Refunded', money(row.refunded, currency)), ...fact('Net value', money(row.netTotal, currency))] : []),
    ...fact('Tax', money(row.tax, currency)),
    ...fact('Shipping', money(row.shipping, currency)),
    ...fact('City', row.city),
    ...fact('Country', row.country),
    ...fact('Items', count(row.itemCount)),
  );
  items.replaceChildren(renderTable(ZOOM_ITEM_COLUMNS, row.items ?? [], { currency }, `Items of ${zoom.kind} ${zoom.id}`));
}
