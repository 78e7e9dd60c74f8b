// The Order Confirmation page (review before payment): emarsysTrack.cart() starts the
// abandoned-cart clock. Placing the order goes on to the Thank You page.
import { getBuyer, placeOrder, priceCart } from './store.js';
import { orderSummary } from './summary.js';
import { el, main, renderHeader } from './ui.js';

renderHeader();
const cart = priceCart();
const buyer = getBuyer();

if (!cart.items.length) {
  main().replaceChildren(el('h1', {}, 'Order confirmation'), el('p', {}, 'Your cart is empty. ', el('a', { href: './' }, 'Back to the shop.')));
} else {
  window.emarsysTrack.cart({
    cartId: cart.cartId,
    items: cart.items.map(({ sku, name, category, price, quantity }) => ({ sku, name, category, price, quantity })),
    total: cart.total,
    tax: cart.tax,
    shipping: cart.shipping,
    currency: cart.currency,
    email: buyer.email || undefined,
    city: buyer.city || undefined,
    country: buyer.country || undefined,
  }).then(() => (document.body.dataset.tracked = 'cart'), () => (document.body.dataset.tracked = 'failed'));

  main().replaceChildren(
    el('ol', { class: 'steps' }, el('li', {}, 'Details'), el('li', { 'aria-current': 'step' }, 'Confirm'), el('li', {}, 'Done')),
    el('h1', {}, 'Please confirm your order'),
    orderSummary(cart),
    el('section', { class: 'address' },
      el('h2', {}, 'Deliver to'),
      el('p', {}, buyer.name || '(no name given)'), el('p', {}, [buyer.city, buyer.country].filter(Boolean).join(', ')),
      el('p', {}, buyer.email), el('p', {}, el('a', { href: 'checkout.html' }, 'Change details'))),
    el('form', { class: 'actions', onsubmit: (e) => {
      e.preventDefault();
      location.href = `thank-you.html?order=${encodeURIComponent(placeOrder().orderId)}`;
    } },
      el('a', { href: 'cart.html', class: 'button' }, 'Edit cart'),
      el('button', { type: 'submit', class: 'button button-primary', id: 'place-order' }, 'Place order and pay')),
  );
}
