// A product page: ?sku=…
import { findProduct } from './catalog.js';
import { addToCart } from './store.js';
import { el, main, money, picture, renderHeader } from './ui.js';

renderHeader();
const product = findProduct(new URLSearchParams(location.search).get('sku') ?? '');

if (!product) {
  main().replaceChildren(el('h1', {}, 'Product not found'), el('p', {}, el('a', { href: './' }, 'Back to all products')));
} else {
  document.title = `${product.name} · Northwind Tools`;
  const quantity = el('input', { id: 'quantity', type: 'number', min: 1, max: 99, value: 1, inputmode: 'numeric' });
  const status = el('p', { class: 'added', role: 'status' });
  main().replaceChildren(
    el('p', { class: 'crumbs' }, el('a', { href: './' }, 'Products'), ' › ', product.category),
    el('article', { class: 'product' },
      picture(product),
      el('div', {},
        el('h1', {}, product.name),
        el('p', { class: 'price price-large' }, money(product.price)),
        el('p', {}, product.description),
        el('p', { class: 'muted' }, `Product code ${product.sku}`),
        el('form', { class: 'buy', onsubmit: (e) => {
          e.preventDefault();
          const n = Math.max(1, Math.min(99, Number.parseInt(quantity.value, 10) || 1));
          addToCart(product.sku, n);
          status.replaceChildren(`${n} × ${product.name} added. `, el('a', { href: 'cart.html' }, 'Go to cart'));
        } },
          el('label', { for: 'quantity' }, 'Quantity'), quantity,
          el('button', { type: 'submit', class: 'button button-primary' }, 'Add to cart')),
        status)),
  );
}
