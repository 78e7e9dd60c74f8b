// The order summary table shared by the cart, Order Confirmation and Thank You pages.
import { el, money } from './ui.js';

export function orderSummary({ items, subtotal, shipping, total, tax }, editLine) {
  return el('table', { class: 'lines' },
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, 'Product'), el('th', { scope: 'col', class: 'num' }, 'Price'),
      el('th', { scope: 'col', class: 'num' }, 'Quantity'), el('th', { scope: 'col', class: 'num' }, 'Total'))),
    el('tbody', {}, items.map((item) => el('tr', {},
      el('td', {}, el('a', { href: `product.html?sku=${encodeURIComponent(item.sku)}` }, item.name)),
      el('td', { class: 'num' }, money(item.price)),
      el('td', { class: 'num' }, editLine ? editLine(item) : String(item.quantity)),
      el('td', { class: 'num' }, money(item.price * item.quantity))))),
    el('tfoot', {},
      row('Subtotal', money(subtotal)),
      row('Shipping', shipping ? money(shipping) : 'Free'),
      row('Total', money(total), 'total'),
      row('incl. VAT', money(tax), 'muted')),
  );
}

const row = (label, value, cls) =>
  el('tr', { class: cls }, el('th', { scope: 'row', colspan: 3 }, label), el('td', { class: 'num' }, value));
