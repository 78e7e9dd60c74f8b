// @ts-check
// What each view's table shows, column by column. A cell returns text or a node built
// with h(); the table renders both as text, whatever the data holds.
import { h } from './dom.js';
import { count, dateTimeText, percent, toDate } from './format.js';
import { lineTotal, money, toUnits } from './money.js';
import { openZoom } from './state.js';

/** @typedef {import('./api.js').Attributed} Attributed */
/** @typedef {import('./api.js').LineItem} LineItem */
/** @typedef {import('./api.js').OrderRow} OrderRow */
/** @typedef {import('./api.js').CartRow} CartRow */
/** @typedef {import('./api.js').AttributionRow} AttributionRow */
/** @typedef {import('./money.js').Amount} Amount */
/** @typedef {{ currency: string }} CellContext the currency of amounts whose row names none */
/**
 * @template R
 * @typedef {{ label: string, numeric?: boolean, cell: (row: R, ctx: CellContext) => Node | string }} Column
 */

/** @param {string | null} time */
const timeCell = (time) => {
  const d = toDate(time);
  return d ? h('time', { datetime: d.toISOString() }, dateTimeText(d)) : '';
};
/** @param {{ time: string }} row */
const when = (row) => timeCell(row.time);

/** @param {Attributed} row */
export const campaignCell = (row) =>
  row.campaignId || row.campaignName
    ? h('span', { title: row.campaignId ? `Campaign ID ${row.campaignId}` : undefined }, row.campaignName || row.campaignId)
    : h('span', { class: 'muted' }, 'Direct traffic');

/**
 * How each attribution method reads to a marketer, and what it means. `none` is the
 * attribution report's name for direct traffic, which order rows write as null.
 * @type {Record<import('./api.js').AttributionRow['attribution'], { label: string, means: string }>}
 */
export const ATTRIBUTION = {
  cookie: { label: 'Email link (cookie)', means: 'The browser kept the campaign of the email link it came from.' },
  visitor: { label: 'Same visitor', means: 'No campaign came with the order: the same browser clicked an email link within the attribution window.' },
  contact: { label: 'Same contact', means: 'No campaign came with the order: the same contact clicked an email link (on another device or browser) within the attribution window.' },
  emst: { label: 'Legacy emst', means: 'The legacy emstrack.js or ti.php integration named the campaign.' },
  api: { label: 'Shop backend (API)', means: 'The shop’s backend sent the purchase with its campaign.' },
  none: { label: 'Direct', means: 'No campaign: direct traffic.' },
};

/** @param {import('./api.js').AttributionMethod | 'none' | null} method */
export const attributionText = (method) => ATTRIBUTION[method ?? 'none']?.label ?? String(method); // a method newer than this page shows by name

/**
 * Whether an order was cancelled or refunded, in words (a marker that is not colour alone);
 * null for an order that stands as placed.
 * @param {OrderRow} row
 */
export function orderStatus(row) {
  if (row.cancelledAt) return 'Cancelled';
  if (toUnits(row.refunded) === 0n) return null;
  return toUnits(row.netTotal) === 0n ? 'Refunded' : 'Partly refunded';
}

/** @param {OrderRow} row */
const statusCell = (row) => {
  const status = orderStatus(row);
  return status ? h('span', { class: `badge badge-${status === 'Partly refunded' ? 'partial' : 'void'}` }, status) : '';
};

/**
 * A button that opens the order or cart in the zoom dialog.
 * @param {import('./views.js').ZoomKind} kind
 * @param {string} id
 */
const zoomButton = (kind, id) =>
  h('button', { type: 'button', class: 'link', 'aria-label': `Show items of ${kind} ${id}`, onclick: () => openZoom({ kind, id }) }, id);

/**
 * An amount in the row's own currency, else the context's (the order's, the account's).
 * @template {Record<string, unknown> & { currency?: string }} R a row, with or without a currency of its own
 * @param {string} label
 * @param {(row: R) => Amount | bigint | null} amount
 * @returns {Column<R>}
 */
const moneyCol = (label, amount) => ({ label, numeric: true, cell: (row, ctx) => money(amount(row), row.currency ?? ctx.currency) });

/**
 * The columns an order and a cart share: date, ID (opening the zoom), contact, campaign,
 * value and number of items; an order adds its own where a marketer looks first.
 * @template {import('./api.js').Purchase} R
 * @param {import('./views.js').ZoomKind} kind
 * @param {string} noun how the labels name it
 * @param {(row: R) => string} id
 * @param {string} valueLabel
 * @param {{ afterId?: Column<R>[], afterCampaign?: Column<R>[], afterValue?: Column<R>[] }} [more]
 * @returns {Column<R>[]}
 */
const purchaseColumns = (kind, noun, id, valueLabel, { afterId = [], afterCampaign = [], afterValue = [] } = {}) => [
  { label: `${noun} date`, cell: when },
  { label: `${noun} ID`, cell: (row) => zoomButton(kind, id(row)) },
  ...afterId,
  { label: 'Contact email', cell: (row) => row.email ?? '' },
  { label: 'Campaign', cell: campaignCell },
  ...afterCampaign,
  moneyCol(valueLabel, (row) => row.total),
  ...afterValue,
  { label: 'Items', numeric: true, cell: (row) => count(row.itemCount) },
];

/** @type {Column<LineItem & { currency?: string }>[]} */
const LINE_COLUMNS = [
  { label: 'Product code', cell: (item) => item.sku },
  { label: 'Name', cell: (item) => item.name ?? '' },
  { label: 'Category', cell: (item) => item.category ?? '' },
  moneyCol('Unit price', (item) => item.price),
  { label: 'Quantity', numeric: true, cell: (item) => count(item.quantity) },
];

/** Each view's columns; the type makes a view without columns (or columns of no view) an error. */
export const COLUMNS = /** @satisfies {Record<import('./views.js').ViewId, Column<any>[]>} */ ({
  summary: /** @type {Column<import('./api.js').SummaryRow>[]} */ ([
    { label: 'Campaign', cell: campaignCell },
    // every currency row of a campaign carries all its clicks, and the conversion over all its orders
    { label: 'Clicks', numeric: true, cell: (row) => count(row.clicks) },
    { label: 'Orders', numeric: true, cell: (row) => count(row.orders) },
    { label: 'Click-to-order conversion', numeric: true, cell: (row) => (row.clickConversion === null ? h('span', { class: 'muted' }, 'no clicks') : percent(row.clickConversion)) },
    moneyCol('Net revenue', (row) => row.netRevenue),
    moneyCol('Gross revenue', (row) => row.revenue),
    moneyCol('Refunded', (row) => row.refunded),
    { label: 'Refunded orders', numeric: true, cell: (row) => count(row.refundedOrders) },
    { label: 'Buyers', numeric: true, cell: (row) => count(row.buyers) },
    moneyCol('Avg. revenue per order', (row) => row.averageOrderValue),
    { label: 'Abandoned carts', numeric: true, cell: (row) => count(row.abandonedCarts) },
    moneyCol('Value left in carts', (row) => row.abandonedValue),
    { label: 'Recovered carts', numeric: true, cell: (row) => count(row.recoveredCarts) },
    { label: 'Cart conversion rate', numeric: true, cell: (row) => percent(row.conversionRate) },
  ]),
  orders: /** @type {Column<OrderRow>[]} */ ([
    ...purchaseColumns('order', 'Order', (/** @type {OrderRow} */ row) => row.orderId, 'Value', {
      afterId: [{ label: 'Status', cell: statusCell }],
      afterCampaign: [
        { label: 'Attributed by', cell: (row) => attributionText(row.attribution) },
        { label: 'Click', cell: (row) => timeCell(row.clickAt) },
      ],
      afterValue: [moneyCol('Refunded', (row) => row.refunded), moneyCol('Net total', (row) => row.netTotal)],
    }),
    { label: 'City', cell: (row) => row.city ?? '' },
    { label: 'Country', cell: (row) => row.country ?? '' },
  ]),
  'abandoned-carts': /** @type {Column<CartRow>[]} */ ([
    ...purchaseColumns('cart', 'Cart', (/** @type {CartRow} */ row) => row.cartId, 'Value left'),
    { label: 'Abandoned at', cell: (row) => dateTimeText(row.abandonedAt) },
  ]),
  // An item row names no currency (yet): its price shows in the account's.
  items: /** @type {Column<import('./api.js').ItemRow>[]} */ ([
    { label: 'Order date', cell: when },
    ...LINE_COLUMNS,
    { label: 'Order ID', cell: (row) => zoomButton('order', row.orderId) },
    { label: 'Campaign', cell: campaignCell },
  ]),
  attribution: /** @type {Column<AttributionRow>[]} */ ([
    { label: 'Attributed by', cell: (row) => attributionText(row.attribution) },
    { label: 'Orders', numeric: true, cell: (row) => count(row.orders) },
    moneyCol('Net revenue', (row) => row.netRevenue),
    moneyCol('Gross revenue', (row) => row.revenue),
    moneyCol('Refunded', (row) => row.refunded),
    { label: 'What it means', cell: (row) => h('span', { class: 'muted' }, ATTRIBUTION[row.attribution]?.means ?? '') },
  ]),
});

/** Columns of the items table inside the zoom dialog, in the order's or cart's currency. */
export const ZOOM_ITEM_COLUMNS = /** @type {Column<LineItem>[]} */ ([
  ...LINE_COLUMNS,
  moneyCol('Line total', (item) => lineTotal(item.price, item.quantity)),
]);
