// What each report shows: its title, route and columns. A cell returns text or a node
// built with h(); the table renders both as text, whatever the data holds.
import { h } from './dom.js';
import { count, dateTimeText, money, percent, toDate } from './format.js';
import { go } from './state.js';

const when = (row) => {
  const d = toDate(row.time);
  return d ? h('time', { datetime: d.toISOString() }, dateTimeText(d)) : '';
};

export const campaignCell = (row) =>
  row.campaignId || row.campaignName
    ? h('span', { title: row.campaignId ? `Campaign ID ${row.campaignId}` : undefined }, row.campaignName || row.campaignId)
    : h('span', { class: 'muted' }, 'Direct traffic');

/** A button that opens the order or cart in the zoom dialog. */
const zoomButton = (kind, id) =>
  h('button', { type: 'button', class: 'link', 'aria-label': `Show items of ${kind} ${id}`, onclick: () => go({ zoom: { kind, id } }) }, id);

const moneyCol = (label, key) => ({ label, numeric: true, cell: (row, ctx) => money(row[key], row.currency ?? ctx.currency) });

export const REPORTS = {
  summary: {
    title: 'Results Summary',
    caption: 'Results per campaign',
    columns: [
      { label: 'Campaign', cell: campaignCell },
      moneyCol('Revenue', 'revenue'),
      { label: 'Buyers', numeric: true, cell: (row) => count(row.buyers) },
      { label: 'Orders', numeric: true, cell: (row) => count(row.orders) },
      moneyCol('Avg. revenue per order', 'averageOrderValue'),
      { label: 'Abandoned carts', numeric: true, cell: (row) => count(row.abandonedCarts) },
      moneyCol('Value left in carts', 'abandonedValue'),
      { label: 'Recovered carts', numeric: true, cell: (row) => count(row.recoveredCarts) },
      { label: 'Conversion rate', numeric: true, cell: (row) => percent(row.conversionRate) },
    ],
  },
  orders: {
    title: 'Orders',
    caption: 'Orders, newest first',
    columns: [
      { label: 'Order date', cell: when },
      { label: 'Order ID', cell: (row) => zoomButton('order', row.orderId) },
      { label: 'Contact email', cell: (row) => row.email ?? '' },
      { label: 'Campaign', cell: campaignCell },
      moneyCol('Value', 'total'),
      { label: 'Items', numeric: true, cell: (row) => count(row.itemCount) },
      { label: 'City', cell: (row) => row.city ?? '' },
      { label: 'Country', cell: (row) => row.country ?? '' },
    ],
  },
  'abandoned-carts': {
    title: 'Abandoned carts',
    caption: 'Abandoned carts, newest first',
    columns: [
      { label: 'Cart date', cell: when },
      { label: 'Cart ID', cell: (row) => zoomButton('cart', row.cartId) },
      { label: 'Contact email', cell: (row) => row.email ?? '' },
      { label: 'Campaign', cell: campaignCell },
      moneyCol('Value left', 'total'),
      { label: 'Items', numeric: true, cell: (row) => count(row.itemCount) },
      { label: 'Abandoned at', cell: (row) => dateTimeText(row.abandonedAt) },
    ],
  },
  items: {
    title: 'Items sold',
    caption: 'Items in orders, newest first',
    columns: [
      { label: 'Order date', cell: when },
      { label: 'Product code', cell: (row) => row.sku },
      { label: 'Name', cell: (row) => row.name ?? '' },
      { label: 'Category', cell: (row) => row.category ?? '' },
      // Item rows carry no currency of their own unless the collector adds one.
      { label: 'Unit price', numeric: true, cell: (row) => money(row.price, row.currency) },
      { label: 'Quantity', numeric: true, cell: (row) => count(row.quantity) },
      { label: 'Order ID', cell: (row) => zoomButton('order', row.orderId) },
      { label: 'Campaign', cell: campaignCell },
    ],
  },
};

/** Columns of the items table inside the zoom dialog. */
export const ZOOM_ITEM_COLUMNS = [
  { label: 'Product code', cell: (item) => item.sku },
  { label: 'Name', cell: (item) => item.name ?? '' },
  { label: 'Category', cell: (item) => item.category ?? '' },
  moneyCol('Unit price', 'price'),
  { label: 'Quantity', numeric: true, cell: (item) => count(item.quantity) },
  { label: 'Line total', numeric: true, cell: (item, ctx) => money(Number(item.price) * Number(item.quantity ?? 1), ctx.currency) },
];
