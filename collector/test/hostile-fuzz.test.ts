// Property-based fuzz of hostile batches through the real HTTP app, on both engines: every
// event answered as accepted is in the reports exactly as sent, every refusal names a field
// and a reason, nothing answers 5xx (ingest or reports), and another customer's data is
// untouched.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/engines.js';
import { DAY, T0, addCustomer, addUser, batch, cart, order, testClock, uid } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { allRows, getJson, postEvents } from './helpers/http.js';

const RUNS = 30;

/** Amounts from plausible to hostile: exact strings, doubles, out of range, negative, malformed. */
const money = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 99_999_999 }).map((c) => (c / 100).toFixed(2)) },
  { weight: 1, arbitrary: fc.double({ min: -1e13, max: 1e13, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom('9999999999999', '9999999999999.9999', '-0.0001', '1000000', '1000000.0001', '0', '1e5', '1,5', '', '-') },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }).map(String) },
);
const quantity = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) }, fc.constantFrom(1_000_000, 0, -1, 1.5, 2 ** 31));
/** Text as a browser (or an attacker) may send it: any code point, control characters, NUL, long. */
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('a\u0000b', 'line\nbreak', '\u007f', 'é😀', 'x'.repeat(600)),
);
const email = fc.oneof(fc.constantFrom('ann@example.com', 'a\u0000b@example.com', 'a b@c', 'x@y\u0001', '@', 'ok@é.example'), text);
const fuzzItem = fc.record(
  { sku: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('SKU-1', 'SKU-2') }, text), price: money, quantity, name: text },
  { requiredKeys: ['sku', 'price'] },
);

/** One hostile change to a good event. */
const mutation = fc.oneof(
  fc.tuple(fc.constantFrom('total', 'tax', 'shipping'), money),
  fc.tuple(fc.constant('items'), fc.array(fuzzItem, { maxLength: 4 })),
  fc.tuple(fc.constant('email'), email),
  fc.tuple(fc.constantFrom('city', 'country', 'visitor', 'session'), text),
  fc.tuple(fc.constant('currency'), fc.constantFrom('EUR', 'HUF', 'eur', 'EURO')),
  fc.tuple(fc.constant('time'), fc.oneof(fc.constantFrom(-1, 0, 1.5, 2 ** 53, 1e20), fc.integer({ min: 0, max: 2 ** 31 - 1 }))),
  fc.tuple(fc.constant('total'), fc.constant(undefined)), // a cart then counts its items
);

/** A good event with fresh IDs (so an accepted event is never a duplicate) and up to three hostile changes; now and then anything at all. */
const fuzzEvent = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(fc.constantFrom('order', 'cart'), fc.array(mutation, { maxLength: 3 })).map(([type, changes]) => {
      const e: Record<string, unknown> = type === 'order' ? order({ orderId: uid('F') }) : cart({ cartId: uid('K') });
      for (const [field, value] of changes) {
        if (value === undefined) delete e[field];
        else e[field] = value;
      }
      return e;
    }),
  },
  { weight: 1, arbitrary: fc.anything() },
);

type Sent = Record<string, unknown>;

describe.each(ENGINES)('hostile batches fuzzed on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock);

  it(`keeps every acknowledged event, names every refusal, never answers 5xx, and leaves other customers alone (${RUNS} runs)`, async () => {
    const victim = await addCustomer(suite.store);
    const victimToken = (await addUser(suite.store, victim)).token;
    await postEvents(suite.app, batch(victim, [order({ orderId: 'V-1', total: '10.00' }), cart({ cartId: 'V-K', total: '5' })]));
    const victimView = async () => ({
      orders: await allRows(suite.app, `/api/v1/customers/${victim}/orders?attributed=all`, victimToken),
      summary: (await getJson(suite.app, `/api/v1/customers/${victim}/summary?attributed=all`, victimToken)).rows,
      cart: await getJson(suite.app, `/api/v1/customers/${victim}/abandoned-carts/V-K`, victimToken),
    });
    const before = await victimView();

    const customerId = await addCustomer(suite.store);
    const token = (await addUser(suite.store, customerId)).token;
    const base = `/api/v1/customers/${customerId}`;

    await fc.assert(
      fc.asyncProperty(fc.array(fuzzEvent, { minLength: 1, maxLength: 6 }), fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }), async (fuzzed, garbage) => {
        const events = fuzzed;
        const body = garbage ?? batch(customerId, events);
        const res = await postEvents(suite.app, body);
        expect(res.statusCode, res.body).toBeLessThan(500);
        if (garbage !== null) return;
        expect(res.statusCode, res.body).toBe(200);
        const answer = res.json() as { accepted: number; duplicates: number; rejected: { index: number; field: string; reason: string }[] };
        for (const r of answer.rejected) {
          expect(r.field.startsWith(`events[${r.index}]`), r.field).toBe(true);
          expect(r.reason.length).toBeGreaterThan(0);
        }
        const refused = new Set(answer.rejected.map((r) => r.index));
        expect([answer.accepted, answer.duplicates]).toEqual([events.length - refused.size, 0]);
        const orders = new Map((await allRows(suite.app, `${base}/orders?attributed=all`, token)).map((o) => [o.orderId, o]));
        for (const [i, e] of events.entries()) {
          if (refused.has(i)) continue;
          const sent = e as Sent;
          const stored = sent.type === 'order' ? orders.get(sent.orderId) : await getJson<Sent>(suite.app, `${base}/abandoned-carts/${String(sent.cartId)}`, token);
          expect(stored, JSON.stringify(sent)).toBeDefined();
          if (sent.total !== undefined) {
            const t = sent.total as number | string;
            expect(stored!.total).toBe(Number(typeof t === 'number' ? t.toFixed(4) : t) || 0);
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(await victimView()).toEqual(before);

    // the aggregates every accepted amount fed still answer, abandoned carts included
    clock.advance(DAY);
    await suite.app.sweeper.runOnce();
    for (const report of ['summary', 'timeseries', 'abandoned-carts', 'items']) {
      const res = await suite.app.inject({ url: `${base}/${report}?attributed=all`, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, `${report}: ${res.body}`).toBe(200);
    }
  }, 300_000);
});
