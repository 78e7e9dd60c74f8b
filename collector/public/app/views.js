// @ts-check
// The dashboard's views, in tab order: the one list that the tabs, the URL hash, the
// report columns and the zoom are all derived from. A view's `id` is also its report's
// route (docs/http-api.md); `chart` names the report charted above the table.

export const VIEWS = /** @type {const} */ ([
  { id: 'summary', tab: 'Results Summary', title: 'Results Summary', caption: 'Results per campaign', chart: 'timeseries' },
  { id: 'orders', tab: 'Orders', title: 'Orders', caption: 'Orders, newest first', chart: null },
  { id: 'abandoned-carts', tab: 'Abandoned carts', title: 'Abandoned carts', caption: 'Abandoned carts, newest first', chart: null },
  { id: 'items', tab: 'Items', title: 'Items sold', caption: 'Items in orders, newest first', chart: null },
  { id: 'attribution', tab: 'Attribution', title: 'Revenue by attribution', caption: 'Orders and revenue by how each order found its campaign', chart: null },
]);

/** @typedef {typeof VIEWS[number]} View */
/** @typedef {View['id']} ViewId */

/** The view shown when the hash names none. */
export const DEFAULT_VIEW = VIEWS[0];

/** @param {string | null | undefined} id @returns {View | undefined} */
export function findView(id) {
  return VIEWS.find((v) => v.id === id);
}

/**
 * What an ID button opens in the zoom dialog; its details come from the view's report
 * route plus the ID (`orders/:orderId`, `abandoned-carts/:cartId`).
 */
export const ZOOMS = /** @type {const} */ ({
  order: { label: 'Order', view: 'orders' },
  cart: { label: 'Abandoned cart', view: 'abandoned-carts' },
});

/** @typedef {keyof typeof ZOOMS} ZoomKind */
/** @typedef {{ kind: ZoomKind, id: string }} Zoom */

/** @param {string} kind @returns {kind is ZoomKind} */
export function isZoomKind(kind) {
  return Object.hasOwn(ZOOMS, kind);
}
