// The zoom from an order or a cart to its items, in a modal <dialog> (focus is kept
// inside it and returned on close by the browser). Its state is `zoom=` in the hash.
import { ApiError, getReport } from './api.js';
import { byId, h, showMessage } from './dom.js';
import { ZOOM_ITEM_COLUMNS, campaignCell } from './columns.js';
import { count, dateTimeText, money } from './format.js';
import { go } from './state.js';
import { renderTable } from './table.js';

const dialog = byId('zoom');
const title = byId('zoom-title');
const facts = byId('zoom-facts');
const items = byId('zoom-items');
const message = byId('zoom-message');
let shown; // `${kind}:${id}` on display, so a re-render does not refetch
let controller;

dialog.addEventListener('close', () => {
  shown = undefined;
  controller?.abort();
  if (location.hash.includes('zoom=')) go({ zoom: undefined });
});

const CART_STATES = { open: 'Open', abandoned: 'Abandoned', ordered: 'Ordered', recovered: 'Recovered (ordered after it was abandoned)', empty: 'Empty' };
const LABELS = { order: 'Order', cart: 'Abandoned cart' };
const ROUTES = { order: 'orders', cart: 'abandoned-carts' };

/** Opens, refreshes or closes the dialog to match the state; errors go to onError. */
export async function syncZoom(zoom, customer, onError) {
  const key = zoom && `${zoom.kind}:${zoom.id}`;
  if (!zoom) {
    if (dialog.open) dialog.close();
    return;
  }
  if (key === shown) return;
  shown = key;
  controller?.abort();
  controller = new AbortController();
  title.textContent = `${LABELS[zoom.kind]} ${zoom.id}`;
  facts.replaceChildren();
  items.replaceChildren();
  showMessage(message, 'Loading…');
  if (!dialog.open) dialog.showModal();
  try {
    const row = await getReport(customer.customerId, `${ROUTES[zoom.kind]}/${encodeURIComponent(zoom.id)}`, {}, controller.signal);
    showMessage(message, '');
    renderDetails(row, customer.currency, zoom.kind);
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (err instanceof ApiError && err.status === 404) {
      showMessage(message, `No ${zoom.kind} with ID “${zoom.id}” in this account.`, 'error');
      return;
    }
    dialog.close();
    onError(err);
  }
}

function renderDetails(row, defaultCurrency, kind) {
  const currency = row.currency ?? defaultCurrency;
  const fact = (label, value) => (value === '' || value === undefined || value === null ? [] : [h('dt', {}, label), h('dd', {}, value)]);
  facts.replaceChildren(
    ...fact('Date', dateTimeText(row.time)),
    ...(kind === 'cart' ? [...fact('State', CART_STATES[row.state] ?? row.state), ...fact('Abandoned at', dateTimeText(row.abandonedAt)), ...fact('Closed by order', row.orderId)] : []),
    ...fact('Contact email', row.email),
    ...fact('Campaign', campaignCell(row)),
    ...fact(kind === 'cart' ? 'Value left' : 'Value', money(row.total, currency)),
    ...fact('Tax', money(row.tax, currency)),
    ...fact('Shipping', money(row.shipping, currency)),
    ...fact('City', row.city),
    ...fact('Country', row.country),
    ...fact('Items', count(row.itemCount)),
  );
  items.replaceChildren(renderTable(ZOOM_ITEM_COLUMNS, row.items ?? [], { currency }, `Items of ${kind} ${row.orderId ?? row.cartId}`));
}
