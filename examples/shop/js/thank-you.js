// The Thank You page: emarsysTrack.order() records the order. A reload calls it again with
// the same order ID; the SDK sends it once.
import { lastOrder } from './store.js';
import { orderSummary } from './summary.js';
import { el, main, renderHeader } from './ui.js';

renderHeader();
const orderId = new URLSearchParams(location.search).get('order') ?? '';
const order = lastOrder(orderId);

if (!order) {
  main().replaceChildren(el('h1', {}, 'Order not found'), el('p', {}, 'This browser has no order with that number. ', el('a', { href: './' }, 'Back to the shop.')));
} else {
  const { buyer } = order;
  window.emarsysTrack.order({
    orderId: order.orderId,
    items: order.items,
    total: order.total,
    tax: order.tax,
    shipping: order.shipping,
    currency: order.currency,
    email: buyer.email || undefined,
    city: buyer.city || undefined,
    country: buyer.country || undefined,
  }).then(() => (document.body.dataset.tracked = 'order'), () => (document.body.dataset.tracked = 'failed'));

  main().replaceChildren(
    el('ol', { class: 'steps' }, el('li', {}, 'Details'), el('li', {}, 'Confirm'), el('li', { 'aria-current': 'step' }, 'Done')),
    el('h1', {}, 'Thank you for your order!'),
    el('p', { class: 'order-number' }, 'Your order number is ', el('strong', { id: 'order-id' }, order.orderId), '.'),
    el('p', {}, `A confirmation is on its way to ${buyer.email || 'you'}.`),
    orderSummary(order),
    el('p', { class: 'actions' }, el('a', { href: './', class: 'button button-primary' }, 'Continue shopping')),
  );
}
