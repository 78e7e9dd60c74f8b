// `emarsys-collector demo`: a ready-to-click local setup. The demo customer, a login, a
// directory, a decorated email link into the demo shop, and (on first creation only) a few
// weeks of sample orders and carts written through the real ingest path.
import { campaignLinkParams, type ClickEvent, type TrackEvent } from '../../src/protocol/index.js';
import { AuthService } from './auth/service.js';
import { generatePassword } from './auth/passwords.js';
import { DefaultIngestService } from './ingest/service.js';
import type { Store } from './store/store.js';
import { DAY_MS } from './store/types.js';

export const DEMO_CUSTOMER = { customerId: '112734771', name: 'Demo Shop', currency: 'EUR' } as const;
export const DEMO_EMAIL = 'demo@example.com';

export const DEMO_CAMPAIGNS = [
  { campaignId: '5521', name: 'Spring Sale 2025' },
  { campaignId: '5522', name: 'Newsletter: Tools of the month' },
  { campaignId: '5523', name: 'Cart reminder' },
];

export const DEMO_CONTACTS = [
  { contactUid: 'u1', email: 'ada@example.com' },
  { contactUid: 'u2', email: 'grace@example.com' },
  { contactUid: 'u3', email: 'linus@example.com' },
  { contactUid: 'u4', email: 'margaret@example.com' },
  { contactUid: 'u5', email: 'ken@example.com' },
];

const PRODUCTS = [
  { sku: 'DRL-18V', name: 'Cordless Drill 18V', category: 'Power tools', price: '129.00' },
  { sku: 'HMR-450', name: 'Claw Hammer 450 g', category: 'Hand tools', price: '24.90' },
  { sku: 'BNT-DLX', name: 'Bolt & Nut <Deluxe>', category: 'Fixings', price: '4.99' },
  { sku: 'TPM-5M', name: 'Tape Measure 5 m', category: 'Measuring', price: '9.50' },
  { sku: 'GLV-PRO', name: 'Work Gloves "Pro Grip"', category: 'Safety', price: '14.00' },
  { sku: 'TBX-20', name: 'Toolbox 20″', category: 'Storage', price: '49.00' },
];

export interface DemoSetup {
  customerCreated: boolean;
  email: string;
  password: string;
  sampleOrders: number;
  sampleCarts: number;
}

/** Prepares the demo account; the password is new on every run (only its hash is stored). */
export async function prepareDemo(store: Store, now: number): Promise<DemoSetup> {
  const existing = await store.customers.get(DEMO_CUSTOMER.customerId);
  if (!existing) await store.customers.add({ ...DEMO_CUSTOMER, abandonAfterSeconds: null }, now);
  const auth = new AuthService(store, () => now);
  const password = generatePassword();
  if (await store.users.get(DEMO_CUSTOMER.customerId, DEMO_EMAIL)) await auth.setPassword(DEMO_CUSTOMER.customerId, DEMO_EMAIL, password);
  else await auth.createUser(DEMO_CUSTOMER.customerId, DEMO_EMAIL, 'ecommerce-admin', password);
  await store.directory.putCampaigns(DEMO_CUSTOMER.customerId, DEMO_CAMPAIGNS, now);
  await store.directory.putContacts(DEMO_CUSTOMER.customerId, DEMO_CONTACTS, now);
  const sample = existing ? { orders: 0, carts: 0 } : await writeSampleData(store, now);
  return { customerCreated: !existing, email: DEMO_EMAIL, password, sampleOrders: sample.orders, sampleCarts: sample.carts };
}

export function demoLink(baseUrl: string): string {
  const params = new URLSearchParams(campaignLinkParams({ campaignId: DEMO_CAMPAIGNS[0].campaignId, contactUid: DEMO_CONTACTS[0].contactUid }));
  return `${baseUrl}/shop/?${params.toString()}`;
}

/** Deterministic PRNG (mulberry32), so every fresh demo looks the same. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Three weeks of orders and carts, day by day through the ingest service, then the sweep. */
async function writeSampleData(store: Store, now: number): Promise<{ orders: number; carts: number }> {
  const rnd = random(112734771);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const ingest = new DefaultIngestService({ store, clock: () => now });
  const customerId = DEMO_CUSTOMER.customerId;
  const today = Math.floor(now / DAY_MS);
  let orders = 0;
  let carts = 0;
  let n = 0;
  /** yesterday's carts left without an order: a few come back and buy (recovered carts) */
  let leftYesterday: TrackEvent[] = [];
  for (let day = today - 21; day < today; day++) {
    const dayEnd = (day + 1) * DAY_MS - 1;
    const events: TrackEvent[] = [];
    const left: TrackEvent[] = [];
    // the email clicks behind the day's attributed carts, and those of shoppers who only looked
    // (without them the dashboard's click conversion would read thousands of percent)
    const clicks: ClickEvent[] = [];
    const click = (visitor: string, attribution: ClickEvent['attribution']) =>
      clicks.push({ type: 'click', id: `demo-click-${day}-${clicks.length}`, time: attribution.at, visitor, attribution, path: '/shop/' });
    for (let i = 0, looked = 4 + Math.floor(rnd() * 8); i < looked; i++) {
      const [campaign, contact] = [pick(DEMO_CAMPAIGNS).campaignId, pick(DEMO_CONTACTS).contactUid];
      const at = day * DAY_MS + Math.floor((7 + rnd() * 15) * 3_600_000);
      click(`demo-browser-${day}-${i}`, { emst: `${campaign}.${contact}`, sc_src: `email_${campaign}`, sc_uid: contact, at });
    }
    for (const c of leftYesterday.slice(0, 2)) {
      if (c.type !== 'cart' || rnd() < 0.4) continue;
      n++;
      const time = day * DAY_MS + Math.floor((9 + rnd() * 10) * 3_600_000);
      events.push({ ...c, type: 'order', id: `demo-ev-${n}-r`, orderId: `NW-${100000 + n}`, total: c.total ?? '0', time });
      orders++;
    }
    const count = 6 + Math.floor(rnd() * 10);
    for (let i = 0; i < count; i++) {
      n++;
      const time = day * DAY_MS + Math.floor((8 + rnd() * 14) * 3_600_000);
      const lines = 1 + Math.floor(rnd() * 3);
      const items = Array.from({ length: lines }, () => {
        const p = pick(PRODUCTS);
        return { ...p, quantity: 1 + Math.floor(rnd() * 3) };
      });
      const total = items.reduce((sum, it) => sum + Math.round(Number(it.price) * 100) * it.quantity, 0);
      const shipping = total >= 5000 ? 0 : 490;
      const direct = rnd() < 0.25;
      const contact = pick(DEMO_CONTACTS).contactUid;
      const campaign = pick(DEMO_CAMPAIGNS).campaignId;
      const attribution = direct ? undefined : { emst: `${campaign}.${contact}`, sc_src: `email_${campaign}`, sc_uid: contact, at: time - 3_600_000 };
      if (attribution) click(`demo-visitor-${n}`, attribution);
      const common = {
        time,
        visitor: `demo-visitor-${n}`,
        items,
        shipping: (shipping / 100).toFixed(2),
        tax: ((total * 19) / 119 / 100).toFixed(2),
        currency: 'EUR',
        city: pick(['Berlin', 'Budapest', 'Vienna', 'Munich', 'Hamburg']),
        country: pick(['DE', 'HU', 'AT']),
        ...(attribution ? { attribution } : {}),
      };
      const cartId = `demo-cart-${n}`;
      const value = ((total + shipping) / 100).toFixed(2);
      events.push({ type: 'cart', id: `demo-ev-${n}-c`, cartId, total: value, ...common });
      carts++;
      if (rnd() < 0.7) {
        events.push({ type: 'order', id: `demo-ev-${n}-o`, orderId: `NW-${100000 + n}`, cartId, total: value, ...common, time: time + 5 * 60_000 });
        orders++;
      } else {
        left.push(events[events.length - 1]);
      }
    }
    leftYesterday = left;
    const result = await ingest.ingest(customerId, [...clicks, ...events], { source: 'sdk', receivedAt: dayEnd });
    if (result.rejected.length) throw new Error(`demo data refused: ${JSON.stringify(result.rejected[0])}`);
    // that evening's sweep: carts without an order are abandoned
    for (;;) {
      const r = await store.sweep.abandonDue(customerId, dayEnd, dayEnd + 30 * 60_000);
      if (r.claimed < 500) break;
    }
  }
  await ingest.drain();
  return { orders, carts };
}
