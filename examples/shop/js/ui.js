// Shared page furniture: the element builder (text only: product names carry HTML
// characters), money formatting, the header with its cart count, and product pictures.
import { CURRENCY } from './catalog.js';
import { cartCount } from './store.js';

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((c) => c !== undefined && c !== false && c !== null));
  return node;
}

const euro = new Intl.NumberFormat(undefined, { style: 'currency', currency: CURRENCY });
export const money = (n) => euro.format(n);

export function picture(product, size = 'large') {
  return el('img', { class: `picture picture-${size}`, src: `img/${product.image}.svg`, alt: '', width: 160, height: 160 });
}

/** Fills the header and keeps its cart count current. */
export function renderHeader() {
  const count = el('span', { class: 'cart-count', 'aria-live': 'polite' });
  const update = () => {
    const n = cartCount();
    count.textContent = String(n);
    count.setAttribute('aria-label', `${n} ${n === 1 ? 'item' : 'items'} in the cart`);
  };
  update();
  addEventListener('cartchange', update);
  document.getElementById('site-header').replaceChildren(
    el('a', { class: 'logo', href: './' }, el('span', { class: 'logo-mark', 'aria-hidden': 'true' }, 'N'), 'Northwind Tools'),
    el('nav', { 'aria-label': 'Shop' }, el('a', { href: './' }, 'Products'), el('a', { href: 'cart.html', class: 'cart-link' }, 'Cart ', count)),
  );
}

export function main() {
  return document.getElementById('content');
}
