// Realistic cart and order events (the wire format of src/protocol/schema.ts), built fast:
// a few hundred pre-rendered templates whose unique IDs are spliced in per request, so the
// load generator spends its time sending, not building JSON.
import { rng } from './util.mjs';

export const CUSTOMER_ID = '112734771';
/** A second customer that receives the warm-up load, so it never mixes with the counted events. */
export const WARM_CUSTOMER_ID = '990000001';

const CATEGORIES = ['Shoes', 'Shirts', 'Jackets', 'Bags', 'Accessories', 'Kitchen', 'Garden', 'Books', 'Toys', 'Beauty'];
const ADJ = ['Classic', 'Slim', 'Organic', 'Vintage', 'Premium', 'Everyday', 'Travel', 'Outdoor', 'Soft', 'Bold'];
const NOUN = ['Sneaker', 'Oxford Shirt', 'Rain Jacket', 'Tote Bag', 'Wallet', 'Chef Knife', 'Watering Can', 'Notebook', 'Puzzle', 'Face Cream'];
const CITIES = [['Budapest', 'HU'], ['Vienna', 'AT'], ['Berlin', 'DE'], ['Munich', 'DE'], ['Paris', 'FR'], ['Madrid', 'ES'], ['Milan', 'IT'], ['Warsaw', 'PL']];

const ID = '@ID@'; // placeholder spliced with the unique number of each event

function item(r) {
  const n = Math.floor(r() * NOUN.length);
  const c = n;
  const price = Math.round((5 + r() * 195) * 100) / 100;
  return {
    sku: `SKU-${c}${n}${Math.floor(r() * 1000).toString().padStart(3, '0')}`,
    name: `${ADJ[Math.floor(r() * ADJ.length)]} ${NOUN[n]}`,
    category: CATEGORIES[c],
    price,
    quantity: 1 + Math.floor(r() * r() * 4),
  };
}

/** One event as the SDK sends it, with `@ID@` where its unique number goes. */
function eventTemplate(r, type, campaigns) {
  const items = Array.from({ length: 1 + Math.floor(r() * 5) }, () => item(r));
  const subtotal = items.reduce((s, i) => s + i.price * i.quantity, 0);
  const shipping = subtotal > 100 ? 0 : 4.9;
  const tax = Math.round(subtotal * 0.2 * 100) / 100;
  const campaign = 1000 + Math.floor(r() * campaigns);
  const contact = `c${Math.floor(r() * 1e6)}`;
  const [city, country] = CITIES[Math.floor(r() * CITIES.length)];
  const ev = {
    type,
    id: `ev-${ID}`,
    ...(type === 'order' ? { orderId: `ORD-${ID}` } : { cartId: `cart-${ID}` }),
    time: 0, // replaced when the batch is built
    visitor: `v-${Math.floor(r() * 1e9).toString(36)}`,
    session: `s-${Math.floor(r() * 1e9).toString(36)}`,
    attribution: { emst: `${campaign}.${contact}`, sc_src: `email_${campaign}`, sc_uid: contact, at: 0 },
    items,
    total: Math.round((subtotal + shipping) * 100) / 100,
    tax,
    shipping,
    currency: 'EUR',
    city,
    country,
    email: `${contact}@example.com`,
  };
  return JSON.stringify(ev).replace('"time":0', '"time":@T@').replace('"at":0', '"at":@A@');
}

/**
 * A body factory: `next()` returns the next request body (a Batch of `perRequest` events,
 * half carts and half orders) with fresh event, order and cart IDs.
 */
export function batchFactory({ perRequest, prefix, customerId = CUSTOMER_ID, campaigns = 20, seed = 7 }) {
  const r = rng(seed);
  const templates = Array.from({ length: 256 }, (_, i) => eventTemplate(r, i % 2 ? 'order' : 'cart', campaigns));
  let n = 0;
  let t = 0;
  return {
    eventsPerRequest: perRequest,
    next() {
      const time = String(Date.now());
      const at = String(Date.now() - 3_600_000);
      const parts = [];
      for (let i = 0; i < perRequest; i++) {
        const id = `${prefix}-${n++}`;
        parts.push(templates[t++ & 255].replaceAll(ID, id).replace('@T@', time).replace('@A@', at));
      }
      return `{"v":1,"customerId":"${customerId}","source":"sdk","events":[${parts.join(',')}]}`;
    },
    get made() {
      return n;
    },
  };
}
