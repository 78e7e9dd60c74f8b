// Landing page and product list; an email link (?emst=…&sc_src=…) lands here, and the
// SDK, loaded by the page head, keeps its campaign parameters.
import { CURRENCY, PRODUCTS } from './catalog.js';
import { addToCart } from './store.js';
import { el, main, money, picture, renderHeader } from './ui.js';

renderHeader();
const fromEmail = /[?&](emst|sc_src)=/.test(location.search);

main().replaceChildren(
  el('section', { class: 'hero' },
    el('h1', {}, fromEmail ? 'Welcome from our newsletter!' : 'Tools for every job'),
    el('p', {}, `Free shipping from ${money(50)} · prices in ${CURRENCY}, VAT included · 30-day returns`)),
  el('h2', { class: 'section-title' }, 'Our bestsellers'),
  el('ul', { class: 'grid', role: 'list' },
    PRODUCTS.map((p) => {
      const href = `product.html?sku=${encodeURIComponent(p.sku)}`;
      return el('li', { class: 'tile' },
        el('a', { href, class: 'tile-link', 'aria-label': p.name }, picture(p, 'small')),
        el('h3', {}, el('a', { href }, p.name)),
        el('p', { class: 'muted' }, p.category),
        el('p', { class: 'price' }, money(p.price)),
        el('button', { type: 'button', class: 'button', 'data-sku': p.sku, onclick: (e) => {
          addToCart(p.sku);
          e.currentTarget.textContent = 'Added ✓';
        } }, 'Add to cart'));
    })),
);
