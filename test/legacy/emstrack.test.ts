// The legacy emstrack.js drop-in (docs/legacy.md), driven by the Suite's old snippets verbatim,
// sending to a real local HTTP server that stands in for the collector.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Batch, BatchResult, TrackEvent } from '../../src/protocol/index.js';

interface Hit {
  host: string;
  path: string;
  headers: IncomingHttpHeaders;
  batch: Batch<TrackEvent>;
}

let hits: Hit[] = [];
let answer: (batch: Batch<TrackEvent>) => [number, unknown] = () => [200, { accepted: 1, duplicates: 0, rejected: [] }];
let server: Server;
let collector: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const batch = JSON.parse(body) as Batch<TrackEvent>;
      hits.push({ host: req.headers.host!, path: req.url!, headers: req.headers, batch });
      const [status, json] = answer(batch);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  collector = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

// The old snippets, as the Suite's documentation had them.
const SNIPPET = "emsSetEnv('www1'); emsTracking(112734771, 'yourdomainhere.com');";
const ORDER_CONFIRMATION_FORM = `
<form style="display:none" name="emsform">
  <input type="hidden" name="total" value="3048.50">
  <input type="hidden" name="tax" value="509.00"> <input type="hidden" name="shipping" value="49.50">
  <input type="hidden" name="city" value="Budapest"> <input type="hidden" name="country" value="HU">
  <input type="hidden" name="ems_items[]" value="TV-55;TV;Sony Bravia 55&quot;;2999.00;1">
  <input type="hidden" name="ems_items[]" value="CBL-1;Cables;HDMI &lt;img src=x onerror=alert(1)&gt;;24.75;2">
</form>`;
const THANK_YOU_FORM = ORDER_CONFIRMATION_FORM.replace('name="emsform">', 'name="emsform">\n  <input type="hidden" name="order" value="A-1001">');

const cookieWrites: string[] = [];
const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
let warnings: string[];

beforeEach(() => {
  hits = [];
  cookieWrites.length = 0;
  warnings = [];
  vi.spyOn(console, 'warn').mockImplementation((m: string) => void warnings.push(m));
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get: () => cookie.get!.call(document),
    set: (v: string) => {
      cookieWrites.push(v);
      cookie.set!.call(document, v);
    },
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const name of document.cookie.split('; ').map((c) => c.split('=')[0]).filter(Boolean)) {
    cookie.set!.call(document, `${name}=; path=/; max-age=0`);
  }
  delete (document as { cookie?: string }).cookie;
  document.body.innerHTML = '';
});

/** Loads emstrack.js as a page would: a fresh copy, run from a <script> tag with these attributes. */
async function loadScript(attrs: Record<string, string> | null = {}, url = `/checkout`) {
  history.replaceState(null, '', url);
  const tag = attrs && document.createElement('script');
  if (tag) tag.src = attrs.src ?? `${collector}/js/emstrack.js`;
  for (const [k, v] of Object.entries(attrs ?? {})) if (k !== 'src') tag!.setAttribute(k, v);
  Object.defineProperty(document, 'currentScript', { configurable: true, get: () => tag });
  vi.resetModules();
  await import('../../src/legacy/emstrack.js');
  delete (document as { currentScript?: unknown }).currentScript;
}

/** Runs page code the way an inline <script> would: in the page's global scope. */
const run = (code: string) => new Function(code)();

async function page(form: string, url?: string, attrs?: Record<string, string> | null) {
  await loadScript(attrs, url);
  document.body.innerHTML = form;
  run(SNIPPET);
  run('emsSubmitOrder();');
}

async function received(count: number): Promise<Hit[]> {
  await vi.waitFor(() => expect(hits.length).toBeGreaterThanOrEqual(count), { timeout: 3000 });
  return hits;
}

const settle = () => new Promise((r) => setTimeout(r, 150));

describe('emstrack.js with the old snippets', () => {
  it('sends the Order Confirmation form as a cart batch to the script own collector', async () => {
    await page(ORDER_CONFIRMATION_FORM);
    const [hit] = await received(1);
    expect(hit.path).toBe('/v1/events');
    expect(hit.headers['content-type']).toMatch(/^text\/plain/);
    expect(hit.batch).toEqual({
      v: 1,
      customerId: '112734771',
      source: 'emstrack',
      events: [
        {
          type: 'cart',
          id: expect.any(String),
          cartId: expect.any(String),
          time: expect.any(Number),
          visitor: expect.any(String),
          session: expect.any(String),
          total: '3048.50',
          tax: '509.00',
          shipping: '49.50',
          city: 'Budapest',
          country: 'HU',
          items: [
            { sku: 'TV-55', category: 'TV', name: 'Sony Bravia 55"', price: '2999.00', quantity: 1 },
            { sku: 'CBL-1', category: 'Cables', name: 'HDMI <img src=x onerror=alert(1)>', price: '24.75', quantity: 2 },
          ],
        },
      ],
    });
    const e = hit.batch.events[0];
    expect(e.cartId).toBe(e.session);
    expect(warnings).toEqual([]);
  });

  it('sends the Thank You form as an order that closes the same cart, then starts a new session', async () => {
    await page(ORDER_CONFIRMATION_FORM);
    await page(THANK_YOU_FORM, '/thank-you');
    const [cart, order] = (await received(2)).map((h) => h.batch.events[0]);
    expect(order).toMatchObject({ type: 'order', orderId: 'A-1001', total: '3048.50', cartId: cart.cartId, visitor: cart.visitor });
    expect(order.id).not.toBe(cart.id);
    await page(ORDER_CONFIRMATION_FORM, '/checkout-again');
    const next = (await received(3))[2].batch.events[0];
    expect(next.visitor).toBe(cart.visitor);
    expect(next.cartId).not.toBe(cart.cartId);
  });

  it('keeps the email link emst in _ems_campaign for 30 days (SameSite=Lax, not Secure on http) and attributes later pages', async () => {
    await loadScript({}, '/landing?emst=5521.UID9&utm_source=news');
    run(SNIPPET);
    expect(cookieWrites).toContainEqual(expect.stringMatching(/^_ems_campaign=5521\.UID9;path=\/;SameSite=Lax;max-age=2592000$/));
    expect(cookieWrites).toContainEqual(expect.stringMatching(/^_ems_visitor=[^;]+;path=\/;SameSite=Lax;max-age=31536000$/));
    expect(cookieWrites).toContainEqual(expect.stringMatching(/^_ems_session=[^;]+;path=\/;SameSite=Lax$/));
    await page(THANK_YOU_FORM, '/thank-you');
    const [hit] = await received(1);
    expect(hit.batch.events[0].attribution).toEqual({ emst: '5521.UID9', at: hit.batch.events[0].time });
  });

  it('keeps the visitor and campaign cookies the Suite script left behind', async () => {
    cookie.set!.call(document, '_ems_visitor=old-visitor-7; path=/');
    cookie.set!.call(document, '_ems_campaign=77.U1; path=/');
    await page(ORDER_CONFIRMATION_FORM);
    const e = (await received(1))[0].batch.events[0];
    expect(e.visitor).toBe('old-visitor-7');
    expect(e.attribution).toMatchObject({ emst: '77.U1' });
  });

  it('does not keep a campaign the collector would refuse', async () => {
    await loadScript({}, `/landing?emst=${'x'.repeat(513)}`);
    run(SNIPPET);
    await loadScript({}, '/landing?emst=1%0A2');
    run(SNIPPET);
    expect(cookieWrites.filter((c) => c.startsWith('_ems_campaign'))).toEqual([]);
  });

  it('sets its cookies on the given domain when the page is on it, Secure on https', async () => {
    const dom = (window as unknown as { jsdom: { reconfigure(o: { url: string }): void } }).jsdom;
    dom.reconfigure({ url: 'https://www.shop.example.com/checkout?emst=1.2' });
    try {
      await loadScript({}, '/checkout?emst=1.2');
      run("emsSetEnv('www1'); emsTracking(112734771, 'shop.example.com');");
      expect(cookieWrites).toContain('_ems_campaign=1.2;path=/;SameSite=Lax;Secure;domain=shop.example.com;max-age=2592000');
      for (const c of cookieWrites) expect(c).toContain(';SameSite=Lax;Secure;');
    } finally {
      dom.reconfigure({ url: 'http://localhost:3000/' });
    }
  });
});

describe('emsSetEnv', () => {
  it('sends a Suite environment name to data-endpoint', async () => {
    await page(ORDER_CONFIRMATION_FORM, undefined, { src: 'https://cdn.example.com/emstrack.js', 'data-endpoint': `${collector}/` });
    expect((await received(1))[0].path).toBe('/v1/events');
  });

  it('sends to a URL it is given, whatever the script tag says', async () => {
    await loadScript({ src: 'https://cdn.example.com/emstrack.js', 'data-endpoint': 'https://nowhere.invalid' });
    document.body.innerHTML = ORDER_CONFIRMATION_FORM;
    run(`emsSetEnv('${collector}/'); emsTracking('112734771', 'yourdomainhere.com'); emsSubmitOrder();`);
    expect((await received(1))[0].host).toBe(collector.slice('http://'.length));
  });
  it('sends to the page own origin when it cannot tell where it was loaded from', async () => {
    const dom = (window as unknown as { jsdom: { reconfigure(o: { url: string }): void } }).jsdom;
    dom.reconfigure({ url: `${collector}/checkout` });
    try {
      await page(ORDER_CONFIRMATION_FORM, '/checkout', null);
      expect((await received(1))[0].path).toBe('/v1/events');
    } finally {
      dom.reconfigure({ url: 'http://localhost:3000/' });
    }
  });
});

describe('bad input', () => {
  it.each([
    ['total', '<input type="hidden" name="total" value="2,999.00">', 'total: "2,999.00" is not an amount like 2999.00; nothing sent'],
    ['an item price', '<input type="hidden" name="ems_items[]" value="A;B;C;12,50;1">', 'ems_items[0].price: "12,50" is not an amount like 2999.00; nothing sent'],
    ['a quantity', '<input type="hidden" name="ems_items[]" value="A;B;C;12.50;1.5">', 'ems_items[0].quantity: "1.5" is not a whole number; nothing sent'],
    ['an order without total', '<input type="hidden" name="order" value="A-1">', 'total: missing; nothing sent'],
  ])('reports %s in the console and sends nothing', async (_, input, message) => {
    await page(`<form name="emsform">${input}</form>`);
    await settle();
    expect(warnings).toEqual([`[emstrack] ${message}`]);
    expect(hits).toEqual([]);
  });

  it('reports an environment that is not a string, and never throws', async () => {
    await loadScript();
    expect(() => run("emsSetEnv(new URL('https://collector.example.com'));")).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\[emstrack\] .*; nothing sent$/);
  });

  it('reports a page without the form, or without emsTracking, and never throws', async () => {
    await loadScript();
    run(SNIPPET);
    expect(() => run('emsSubmitOrder();')).not.toThrow();
    await loadScript();
    document.body.innerHTML = ORDER_CONFIRMATION_FORM;
    expect(() => run('emsSubmitOrder();')).not.toThrow();
    await settle();
    expect(warnings).toEqual(['[emstrack] no <form name="emsform">; nothing sent', '[emstrack] call emsTracking() first; nothing sent']);
    expect(hits).toEqual([]);
  });

  it('fills what the old form left out, and skips empty fields', async () => {
    await page(`<form name="emsform">
      <input type="hidden" name="total" value=" 10 "><input type="hidden" name="city" value="">
      <input type="hidden" name="ems_items[]" value="SKU-1"><input type="hidden" name="ems_items[]" value=";;Gift card;10.00">
      <input type="hidden" name="ems_items[]" value=""><input type="hidden" name="currency" value="EUR"></form>`);
    const e = (await received(1))[0].batch.events[0];
    expect(e).toMatchObject({ type: 'cart', total: '10', items: [{ sku: 'SKU-1', price: '0', quantity: 1 }, { sku: '-', name: 'Gift card', price: '10.00', quantity: 1 }] });
    expect(e).not.toHaveProperty('city');
    expect(e).not.toHaveProperty('currency');
  });

  it('shows what the collector refused, in its words', async () => {
    const refusal: BatchResult = { accepted: 0, duplicates: 0, rejected: [{ index: 0, field: 'events[0].city', reason: 'must be at most 512 characters' }] };
    answer = () => [200, refusal];
    try {
      await page(ORDER_CONFIRMATION_FORM);
      await vi.waitFor(() => expect(warnings).toHaveLength(1));
      expect(warnings[0]).toBe(`[emstrack] cart not recorded: ${JSON.stringify(refusal)}`);
      answer = () => [404, { error: 'unknown_customer', message: 'customerId: 112734771 is not a customer of this collector' }];
      await page(THANK_YOU_FORM);
      await vi.waitFor(() => expect(warnings).toHaveLength(2));
      expect(warnings[1]).toContain('order not recorded: {"error":"unknown_customer"');
    } finally {
      answer = () => [200, { accepted: 1, duplicates: 0, rejected: [] }];
    }
  });

  it('reports a collector it cannot reach', async () => {
    await loadScript();
    document.body.innerHTML = ORDER_CONFIRMATION_FORM;
    run("emsSetEnv('http://127.0.0.1:9'); emsTracking(112734771, 'yourdomainhere.com'); emsSubmitOrder();");
    await vi.waitFor(() => expect(warnings).toEqual(['[emstrack] cart not recorded: 0']));
  });
});
