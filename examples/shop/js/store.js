// The shop's client-side state in localStorage: the cart (with its own ID, which ties the
// Order Confirmation's cart event to the Thank You page's order), the buyer's details, and
// the last placed order (so a reload of the Thank You page shows it again).
import { CURRENCY, findProduct } from './catalog.js';

const CART = 'northwind.cart';
const BUYER = 'northwind.buyer';
const LAST_ORDER = 'northwind.lastOrder';
const SHIPPING = 4.9;
const FREE_SHIPPING_FROM = 50;
const VAT = 0.19;

const read = (key, fallback) => {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
};
const write = (key, value) => localStorage.setItem(key, JSON.stringify(value));
const newId = (prefix) => `${prefix}-${Date.now().toString(36).toUpperCase()}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
const round = (n) => Math.round(n * 100) / 100;

export function getCart() {
  const cart = read(CART, undefined);
  if (cart) return cart;
  const fresh = { id: newId('CART'), lines: [] };
  write(CART, fresh); // the cart keeps its ID from the first look on
  return fresh;
}

export function addToCart(sku, quantity = 1) {
  const cart = getCart();
  const line = cart.lines.find((l) => l.sku === sku);
  if (line) line.quantity += quantity;
  else cart.lines.push({ sku, quantity });
  write(CART, cart);
  dispatchEvent(new Event('cartchange'));
}

export function setQuantity(sku, quantity) {
  const cart = getCart();
  cart.lines = cart.lines.map((l) => (l.sku === sku ? { ...l, quantity } : l)).filter((l) => l.quantity > 0);
  write(CART, cart);
  dispatchEvent(new Event('cartchange'));
}

export function cartCount() {
  return getCart().lines.reduce((n, l) => n + l.quantity, 0);
}

/** The cart as the tracker and the checkout pages need it: items with prices, and totals. */
export function priceCart(cart = getCart()) {
  const items = cart.lines
    .map((l) => ({ product: findProduct(l.sku), quantity: l.quantity }))
    .filter((l) => l.product)
    .map(({ product, quantity }) => ({ sku: product.sku, name: product.name, category: product.category, price: product.price, quantity }));
  const subtotal = round(items.reduce((sum, i) => sum + i.price * i.quantity, 0));
  const shipping = items.length && subtotal < FREE_SHIPPING_FROM ? SHIPPING : 0;
  const total = round(subtotal + shipping);
  return { cartId: cart.id, items, subtotal, shipping, total, tax: round(total - total / (1 + VAT)), currency: CURRENCY };
}

export const getBuyer = () => read(BUYER, { email: '', name: '', city: '', country: 'DE' });
export const saveBuyer = (buyer) => write(BUYER, buyer);

/** Places the order: a new order ID, the cart emptied, the order kept for the Thank You page. */
export function placeOrder() {
  const order = { orderId: newId('NW'), ...priceCart(), buyer: getBuyer() };
  write(LAST_ORDER, order);
  localStorage.removeItem(CART);
  dispatchEvent(new Event('cartchange'));
  return order;
}

export function lastOrder(orderId) {
  const order = read(LAST_ORDER, undefined);
  return order && order.orderId === orderId ? order : undefined;
}
