// Checkout, step 1: the buyer's details. Step 2 is the Order Confirmation page.
import { getBuyer, priceCart, saveBuyer } from './store.js';
import { el, main, renderHeader } from './ui.js';

renderHeader();
const buyer = getBuyer();

const field = (name, label, attrs) =>
  el('p', { class: 'field' }, el('label', { for: name }, label), el('input', { id: name, name, value: buyer[name] ?? '', required: true, ...attrs }));

if (!priceCart().items.length) {
  main().replaceChildren(el('h1', {}, 'Checkout'), el('p', {}, 'Your cart is empty. ', el('a', { href: './' }, 'Back to the shop.')));
} else {
  main().replaceChildren(
    el('ol', { class: 'steps' }, el('li', { 'aria-current': 'step' }, 'Details'), el('li', {}, 'Confirm'), el('li', {}, 'Done')),
    el('h1', {}, 'Your details'),
    el('form', { class: 'details', onsubmit: (e) => {
      e.preventDefault();
      saveBuyer(Object.fromEntries(new FormData(e.currentTarget)));
      location.href = 'confirm.html';
    } },
      field('email', 'Email', { type: 'email', autocomplete: 'email' }),
      field('name', 'Full name', { autocomplete: 'name' }),
      field('city', 'City', { autocomplete: 'address-level2' }),
      el('p', { class: 'field' }, el('label', { for: 'country' }, 'Country'),
        el('select', { id: 'country', name: 'country', autocomplete: 'country' },
          [['DE', 'Germany'], ['AT', 'Austria'], ['HU', 'Hungary'], ['FR', 'France'], ['GB', 'United Kingdom']].map(([code, label]) =>
            el('option', { value: code, selected: buyer.country === code }, label)))),
      el('p', { class: 'actions' }, el('a', { href: 'cart.html', class: 'button' }, 'Back to cart'), el('button', { type: 'submit', class: 'button button-primary' }, 'Continue'))),
  );
}
