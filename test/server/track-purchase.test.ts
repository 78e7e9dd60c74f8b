// @vitest-environment node
// trackPurchase against a real local HTTP server that misbehaves in scripted ways.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { trackPurchase, trackingIds, TrackPurchaseError, type TrackPurchaseOptions } from '../../src/server/index.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}
type Step = (res: ServerResponse) => void;

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server that answers the n-th request with steps[n] (the last step repeats). */
async function scripted(...steps: Step[]) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: Date.now() });
      steps[Math.min(seen.length, steps.length) - 1](res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { seen, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Step => (res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};
const hangUp: Step = (res) => res.socket!.destroy();
const never: Step = () => {};

const purchase = { email: 'ann@example.com', orderId: 'A-1001', total: '2999.00', currency: 'EUR', items: [{ sku: 'TV', price: 2999 }], emst: '5521.UID9', time: new Date(1_700_000_000_000) };
const options = (endpoint: string, extra: Partial<TrackPurchaseOptions> = {}): TrackPurchaseOptions => ({
  endpoint: `${endpoint}/`,
  customerId: '112734771',
  token: 'tok_secret',
  purchase,
  backoffMs: 5,
  ...extra,
});

async function failure(p: Promise<unknown>): Promise<TrackPurchaseError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TrackPurchaseError);
  return err as TrackPurchaseError;
}

describe('trackPurchase', () => {
  it('posts the purchase with the bearer token, retrying a 500, a dropped connection and a 429 until it succeeds', async () => {
    const { seen, endpoint } = await scripted(json(500, { error: 'internal' }), hangUp, json(429, {}, { 'retry-after': '0' }), json(201, { orderId: 'A-1001', stored: true }));
    const result = await trackPurchase(options(endpoint));
    expect(result).toEqual({ status: 201, body: { orderId: 'A-1001', stored: true }, attempts: 4 });
    expect(seen).toHaveLength(4);
    for (const s of seen) {
      expect(s).toMatchObject({ method: 'POST', url: '/api/v1/customers/112734771/purchases' });
      expect(s.headers).toMatchObject({ authorization: 'Bearer tok_secret', 'content-type': 'application/json' });
      expect(JSON.parse(s.body)).toEqual({
        email: 'ann@example.com',
        orderId: 'A-1001',
        total: '2999.00',
        currency: 'EUR',
        items: [{ sku: 'TV', price: 2999, quantity: 1 }],
        emst: '5521.UID9',
        time: 1_700_000_000_000,
      });
    }
  });

  it('backs off longer each time', async () => {
    const { seen, endpoint } = await scripted(json(503, {}), json(503, {}), json(200, {}));
    await trackPurchase(options(endpoint, { backoffMs: 40 }));
    const gaps = [seen[1].at - seen[0].at, seen[2].at - seen[1].at];
    expect(gaps[0]).toBeGreaterThanOrEqual(19); // 40 ms, halved at most by jitter
    expect(gaps[1]).toBeGreaterThanOrEqual(39); // 80 ms, halved at most by jitter
  });

  it('waits as long as Retry-After asks, up to maxDelayMs', async () => {
    const slow = await scripted(json(429, {}, { 'retry-after': '1' }), json(200, {}));
    await trackPurchase(options(slow.endpoint));
    expect(slow.seen[1].at - slow.seen[0].at).toBeGreaterThanOrEqual(990);
    const capped = await scripted(json(429, {}, { 'retry-after': '3600' }), json(200, {}));
    await trackPurchase(options(capped.endpoint, { maxDelayMs: 30 }));
    expect(capped.seen[1].at - capped.seen[0].at).toBeLessThan(1_000);
  });

  it.each([400, 401, 403, 404, 409, 422])('never retries a %i and says why', async (status) => {
    const { seen, endpoint } = await scripted(json(status, { error: 'bad_request', message: 'total: "abc" is not an amount' }));
    const err = await failure(trackPurchase(options(endpoint)));
    expect(err.message).toBe(`trackPurchase: the collector answered ${status}: total: "abc" is not an amount`);
    expect(err).toMatchObject({ status, attempts: 1, body: { error: 'bad_request' } });
    expect(seen).toHaveLength(1);
  });

  it('gives up after the retries with the last answer', async () => {
    const { seen, endpoint } = await scripted(json(502, { message: 'upstream down' }));
    const err = await failure(trackPurchase(options(endpoint, { retries: 2 })));
    expect(err.message).toBe('trackPurchase: gave up after 3 attempts; last: the collector answered 502: upstream down');
    expect(err).toMatchObject({ status: 502, attempts: 3 });
    expect(seen).toHaveLength(3);
  });

  it('times out an attempt that gets no answer, and retries it', async () => {
    const { seen, endpoint } = await scripted(never, json(200, { ok: 1 }));
    const result = await trackPurchase(options(endpoint, { timeoutMs: 200 }));
    expect(result).toMatchObject({ status: 200, attempts: 2 });
    expect(seen).toHaveLength(2);
  });

  it('reports a collector it cannot reach', async () => {
    const { endpoint } = await scripted(json(200, {}));
    await new Promise((r) => servers.pop()!.close(r));
    const err = await failure(trackPurchase(options(endpoint, { retries: 1 })));
    expect(err.message).toMatch(new RegExp(`^trackPurchase: gave up after 2 attempts; last: could not reach ${endpoint}/api/v1/customers/112734771/purchases: `));
    expect(err).toMatchObject({ status: undefined, attempts: 2 });
    expect(err.cause).toBeInstanceOf(Error);
  });

  it.each<[Partial<TrackPurchaseOptions>, string]>([
    [{ token: '' }, 'token: must be a non-empty string'],
    [{ endpoint: 'ftp://x' }, 'endpoint: "ftp://x" is not an http(s) URL'],
    [{ purchase: { ...purchase, email: 'ann' } }, 'purchase.email: "ann" is not an email address'],
    [{ purchase: { ...purchase, orderId: undefined as never } }, 'purchase.orderId: must be a non-empty string'],
    [{ purchase: { ...purchase, total: '2,999.00' } }, 'purchase.total: "2,999.00" is not an amount'],
    [{ purchase: { ...purchase, currency: 'euro' } }, 'purchase.currency: "euro" is not an ISO 4217 code like EUR'],
    [{ purchase: { ...purchase, time: new Date('nope') } }, 'purchase.time: must be epoch milliseconds or a valid Date'],
    [{ purchase: { ...purchase, items: [{ sku: 'A', price: '1', quantity: -1 }] } }, 'items[0].quantity: -1 is not a whole number from 1 to 1,000,000'],
  ])('refuses bad input before sending: %j', async (bad, message) => {
    const { seen, endpoint } = await scripted(json(200, {}));
    await expect(trackPurchase({ ...options(endpoint), ...bad })).rejects.toThrow(message);
    await expect(trackPurchase({ ...options(endpoint), ...bad })).rejects.toBeInstanceOf(TypeError);
    expect(seen).toHaveLength(0);
  });
});

describe('trackingIds', () => {
  it("reads the SDK's cart and visitor IDs from a Cookie header, as the SDK writes them", () => {
    const header = `theme=dark; _et_vid=${encodeURIComponent(JSON.stringify('v-1 é'))}; _et_cart=%22K-1%22; _et_cmp=%7B%22emst%22%3A%225521.UID9%22%7D`;
    expect(trackingIds(header)).toEqual({ visitor: 'v-1 é', cartId: 'K-1' });
  });

  it("leaves out what is absent or not the SDK's (another script's cookie of the same name)", () => {
    expect(trackingIds(undefined)).toEqual({});
    expect(trackingIds('_et_cart=K-1; _et_vid=%7B%7D')).toEqual({});
    expect(trackingIds('_et_cart=%22%22; _et_cart=%22K-2%22')).toEqual({});
  });
});
