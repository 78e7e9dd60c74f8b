// The cart page: quantities can change; checkout goes on to the buyer's details.
import { priceCart, setQuantity } from './store.js';
import { orderSummary } from './summary.js';
import { el, main, renderHeader } from './ui.js';

renderHeader();

function render() {
  const cart = priceCart();
  if (!cart.items.length) {
    main().replaceChildren(el('h1', {}, 'Your cart'), el('p', {}, 'Your cart is empty. ', el('a', { href: './' }, 'Find something you like.')));
    return;
  }
  const quantityInput = (item) => el('input', {
    type: 'number', min: 0, max: 99, value: item.quantity, class: 'qty', 'aria-label': `Quantity of ${item.name}`,
    onchange: (e) => setQuantity(item.sku, Math.max(0, Math.min(99, Number.parseInt(e.target.value, 10) || 0))),
  });
  main().replaceChildren(
    el('h1', {}, 'Your cart'),
    orderSummary(cart, quantityInput),
    el('p', { class: 'actions' }, el('a', { href: './', class: 'button' }, 'Keep shopping'), el('a', { href: 'checkout.html', class: 'button button-primary' }, 'Checkout')),
  );
}

render();
addEventListener('cartchange', render);
