// Pure functions: money, durations, CSV, validation messages, ranges, tokens, passwords,
// webhook backoff and signatures.
import { describe, expect, it } from 'vitest';
import { SCRYPT_COST, hashPassword, needsRehash, verifyPassword } from '../src/auth/passwords.js';
import { ACCOUNT_POLICY, ADDRESS_POLICY, LoginLimiter, MAX_DELAY_MS, addressKey } from '../src/auth/rate-limit.js';
import { newApiToken, newSessionId, parseApiToken, parseSessionId } from '../src/auth/tokens.js';
import { parseDatabaseTarget, parseDuration } from '../src/config.js';
import { csvLine, csvText } from '../src/csv.js';
import { clampTime } from '../src/ingest/normalize.js';
import { divRound, formatMoney, moneyToNumber, parseMoney } from '../src/money.js';
import { decodeCursor, encodeCursor } from '../src/reports/cursor.js';
import { parseInstant } from '../src/reports/query.js';
import { splitRange } from '../src/store/reports.js';
import { checkEvent, parseBatch } from '../src/validation/events.js';
import { DEFAULT_RETRY, retryDelay } from '../src/webhooks/backoff.js';
import { signature } from '../src/webhooks/signature.js';
import { DAY, T0, order } from './helpers/fixtures.js';

describe('money', () => {
  it('parses dot-decimal strings exactly and rounds numbers to 4 places', () => {
    expect(parseMoney('2999.00')).toBe(29_990_000n);
    expect(parseMoney('-0.0001')).toBe(-1n);
    expect(parseMoney('9999999999999.9999')).toBe(99_999_999_999_999_999n);
    expect(parseMoney(2999.5)).toBe(29_995_000n);
    expect(parseMoney(0.1 + 0.2)).toBe(3000n);
    expect(parseMoney(19.99999)).toBe(200_000n);
    expect(() => parseMoney('2,999.00')).toThrow();
  });

  it('formats and sums without float drift', () => {
    let sum = 0n;
    for (let i = 0; i < 1000; i++) sum += parseMoney('0.10');
    expect(formatMoney(sum)).toBe('100');
    expect(formatMoney(29_995_000n)).toBe('2999.5');
    expect(formatMoney(-15n)).toBe('-0.0015');
    expect(moneyToNumber(123_4500n)).toBe(123.45);
    expect(divRound(100_000n, 3n)).toBe(33_333n);
    expect(divRound(-5n, 2n)).toBe(-3n);
  });
});

describe('durations and --db', () => {
  it('reads 90s, 30m and 2h', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
  });

  it('names the value and the accepted forms when it cannot', () => {
    expect(() => parseDuration('30', '--abandon-after')).toThrow('--abandon-after: "30" is not a duration; use a whole number and a unit, e.g. 90s, 30m, 2h or 30d');
    expect(() => parseDuration('1.5h')).toThrow('is not a duration');
    expect(() => parseDuration('0m')).toThrow('must be longer than 0');
  });

  it('tells SQLite paths from PostgreSQL URLs', () => {
    expect(parseDatabaseTarget('postgres://u@h/db')).toEqual({ engine: 'postgres', url: 'postgres://u@h/db' });
    expect(parseDatabaseTarget('postgresql://u@h/db').engine).toBe('postgres');
    expect(parseDatabaseTarget('./x.db')).toMatchObject({ engine: 'sqlite' });
    expect(() => parseDatabaseTarget('mysql://h/db')).toThrow('unsupported URL');
  });
});

describe('CSV', () => {
  it('quotes separators, quotes and line breaks', () => {
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('two\nlines')).toBe('"two\nlines"');
    expect(csvLine(['a', 'b'])).toBe('a,b\r\n');
  });

  it("prefixes what a spreadsheet would run as a formula with '", () => {
    for (const v of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvText(v).replace(/^"/, '').startsWith(`'`)).toBe(true);
    expect(csvText('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvText('plain')).toBe('plain');
  });
});

describe('validation messages', () => {
  it('names the field path and the reason', () => {
    const bad = (ev: object) => {
      const r = checkEvent(ev, 'events[2]');
      if (r.ok) throw new Error('expected an error');
      return `${r.error.field}: ${r.error.reason}`;
    };
    expect(bad(order({ items: [{ sku: 'A', price: '2,999.00', quantity: 1 }] }))).toBe(
      'events[2].items[0].price: must be a number or a dot-decimal string',
    );
    expect(bad(order({ total: true }))).toBe('events[2].total: must be a number or a dot-decimal string');
    expect(bad(JSON.parse(JSON.stringify({ ...order(), orderId: undefined })))).toBe('events[2].orderId: is required');
    expect(bad(order({ currency: 'euro' }))).toBe('events[2].currency: must be an ISO 4217 currency code such as EUR');
    expect(bad(order({ city: 'a\u0000b' }))).toBe('events[2].city: must not contain control characters');
    expect(bad(order({ city: 'x'.repeat(513) }))).toBe('events[2].city: must be at most 512 characters');
    expect(bad(order({ email: 'nope' }))).toBe('events[2].email: must be an email address');
    expect(bad(order({ time: 1.5 }))).toBe('events[2].time: must be an integer');
    expect(bad(order({ colour: 'red' }))).toBe('events[2].colour: is not a known field');
    expect(bad({ type: 'refund' })).toBe('events[2].type: must be "cart", "order" or "click"');
    expect(bad({ id: 'x' })).toBe('events[2].type: is required');
    expect(checkEvent('x', 'events[0]')).toEqual({ ok: false, error: { field: 'events[0]', reason: 'must be an object' } });
  });

  it('checks the batch envelope', () => {
    const err = (text: string) => {
      const r = parseBatch(text);
      if (r.ok) throw new Error('expected an error');
      return `${r.error.field}: ${r.error.reason}`;
    };
    expect(err('{')).toMatch(/^body: is not valid JSON \(/);
    expect(err('[]')).toBe('body: must be a JSON object { v, customerId, events }');
    expect(err('{"v":2,"customerId":"1","events":[{}]}')).toBe('v: must be 1 (protocol version 2 is unknown to this collector)');
    expect(err('{"v":1,"events":[{}]}')).toBe('customerId: is required');
    expect(err('{"v":1,"customerId":"1","events":[]}')).toBe('events: must not be empty');
    expect(err(JSON.stringify({ v: 1, customerId: '1', events: Array(101).fill({}) }))).toBe('events: must have at most 100 entries');
    expect(err('{"v":1,"customerId":"a b","events":[{}]}')).toBe('customerId: must contain only letters, digits, "_" and "-"');
  });
});

describe('dates and ranges', () => {
  it('reads dates as whole UTC days and timestamps as instants (to inclusive)', () => {
    expect(parseInstant('2025-01-15', 'from', false)).toBe(Date.UTC(2025, 0, 15));
    expect(parseInstant('2025-01-15', 'to', true)).toBe(Date.UTC(2025, 0, 16));
    expect(parseInstant('2025-01-15T10:00:00Z', 'to', true)).toBe(T0 + 1);
    expect(parseInstant('2025-01-15T12:00:00+02:00', 'from', false)).toBe(T0);
    expect(() => parseInstant('2025-02-30', 'from', false)).toThrow('from: "2025-02-30" is not a real date');
    expect(() => parseInstant('15/01/2025', 'to', false)).toThrow('to: must be a date (YYYY-MM-DD) or an ISO timestamp');
    expect(() => parseInstant('2025-01-15T10:00:00', 'to', false)).toThrow('with a time zone');
  });

  it('splits a range into whole days and partial edges', () => {
    const d = Date.UTC(2025, 0, 10);
    expect(splitRange()).toEqual({ days: { first: undefined, end: undefined }, edges: [] });
    expect(splitRange(d, d + 3 * DAY)).toEqual({ days: { first: d / DAY, end: d / DAY + 3 }, edges: [] });
    expect(splitRange(d + 3_600_000, d + 2 * DAY + 60_000)).toEqual({
      days: { first: d / DAY + 1, end: d / DAY + 2 },
      edges: [
        { from: d + 3_600_000, to: d + DAY },
        { from: d + 2 * DAY, to: d + 2 * DAY + 60_000 },
      ],
    });
    expect(splitRange(d + 1000, d + 5000)).toEqual({ days: null, edges: [{ from: d + 1000, to: d + 5000 }] });
  });

  it('clamps the browser time into [received - 7 days, received]', () => {
    expect(clampTime(T0 - DAY, T0)).toBe(T0 - DAY);
    expect(clampTime(T0 + 5 * DAY, T0)).toBe(T0);
    expect(clampTime(0, T0)).toBe(T0 - 7 * DAY);
  });
});

describe('secrets', () => {
  it('puts the customer in tokens and session IDs, and only a hash in the database', () => {
    const t = newApiToken('cust_1-a');
    expect(t.value).toMatch(/^et_cust_1-a_[0-9a-f]{64}$/);
    expect(parseApiToken(t.value)).toEqual(t);
    expect(parseApiToken(t.value.slice(0, -1))).toBeUndefined();
    expect(t.hash).not.toContain(t.value.slice(-64));
    const s = newSessionId('112734771');
    expect(parseSessionId(s.value)?.customerId).toBe('112734771');
    expect(parseSessionId('112734771.zz')).toBeUndefined();
  });

  it('hashes passwords with scrypt and a random salt', async () => {
    const a = await hashPassword('s3cret pass');
    const b = await hashPassword('s3cret pass');
    expect(a).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(needsRehash(a)).toBe(false);
    const old = await hashPassword('s3cret pass', { ...SCRYPT_COST, N: 2 ** 14 });
    expect(await verifyPassword('s3cret pass', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(a).not.toBe(b);
    expect(await verifyPassword('s3cret pass', a)).toBe(true);
    expect(await verifyPassword('s3cret pasS', a)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('delays logins after failures, doubling per failure up to 15 min, and forgets failures over time', () => {
    let now = T0;
    const limiter = new LoginLimiter(() => now);
    const fail = (n: number, ip = '198.51.100.7', email = 'a@b.c') => {
      for (let i = 0; i < n; i++) limiter.fail('1', email, ip);
    };
    fail(ACCOUNT_POLICY.free - 1);
    expect(limiter.retryAfter('1', 'a@b.c', '198.51.100.7')).toBe(0);
    fail(1);
    expect(limiter.retryAfter('1', 'a@b.c', '198.51.100.7')).toBe(1000);
    // per account: another address waits as long, another account does not
    expect(limiter.retryAfter('1', 'a@b.c', '203.0.113.9')).toBe(1000);
    expect(limiter.retryAfter('2', 'a@b.c', '203.0.113.9')).toBe(0);
    fail(3);
    expect(limiter.retryAfter('1', 'a@b.c', '203.0.113.9')).toBe(8000);
    fail(20, '203.0.113.9');
    expect(limiter.retryAfter('1', 'a@b.c', '192.0.2.1')).toBe(MAX_DELAY_MS);
    // the count decays: one failure forgotten per 10 minutes, until none is left
    now += ACCOUNT_POLICY.decayMs * 14;
    expect(limiter.retryAfter('1', 'a@b.c', '192.0.2.1')).toBe(0);
    now += ACCOUNT_POLICY.decayMs * 100;
    fail(ACCOUNT_POLICY.free);
    expect(limiter.retryAfter('1', 'a@b.c', '192.0.2.1')).toBe(1000);
  });

  it('throttles an address across accounts, and never an account at the addresses it logs in from', () => {
    let now = T0;
    const limiter = new LoginLimiter(() => now);
    limiter.succeed('1', 'admin@b.c', '192.0.2.1');
    for (let i = 0; i < 50; i++) limiter.fail('1', 'admin@b.c', '203.0.113.9');
    expect(limiter.retryAfter('1', 'admin@b.c', '203.0.113.9')).toBe(MAX_DELAY_MS);
    expect(limiter.retryAfter('1', 'admin@b.c', '198.51.100.1')).toBe(MAX_DELAY_MS);
    expect(limiter.retryAfter('1', 'admin@b.c', '192.0.2.1')).toBe(0);
    // one address spraying many accounts
    for (let i = 0; i < ADDRESS_POLICY.free; i++) limiter.fail('1', `u${i}@b.c`, '2001:db8:1:2::1');
    expect(limiter.retryAfter('1', 'new@b.c', '2001:db8:1:2:ffff::9')).toBe(1000);
    expect(limiter.retryAfter('1', 'new@b.c', '2001:db8:1:3::1')).toBe(0);
    now += 1000;
    expect(limiter.retryAfter('1', 'new@b.c', '2001:db8:1:2::1')).toBe(0);
  });

  it('keys IPv6 clients by their /64 and IPv4-mapped ones as IPv4', () => {
    expect(addressKey('2001:db8:0:12::1')).toBe('2001:db8:0:12::/64');
    expect(addressKey('2001:DB8:0:12:a:b:c:d')).toBe('2001:db8:0:12::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::ffff:192.0.2.4')).toBe('192.0.2.4');
    expect(addressKey('192.0.2.4')).toBe('192.0.2.4');
  });
});

describe('cursors', () => {
  it('round-trips and refuses cursors of another report or tampered ones', () => {
    const c = encodeCursor('orders', [T0, 'A-1']);
    expect(decodeCursor('orders', c, 'ns')).toEqual([T0, 'A-1']);
    expect(() => decodeCursor('items', c, 'nsn')).toThrow('cursor: is not a cursor of the items report');
    expect(() => decodeCursor('orders', 'garbage!', 'ns')).toThrow('cursor: is not a cursor given by this API');
    expect(() => decodeCursor('orders', encodeCursor('orders', ['x', 'A']), 'ns')).toThrow('cursor: is not a cursor given by this API');
  });
});

// the Standard Webhooks specification's own test vector (its libraries' test suites use it)
const VECTOR = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' };
const VECTOR_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

describe('webhook retries and signatures', () => {
  it('doubles the wait from 30 s up to 2 h, with ±20 % jitter', () => {
    const at = (attempt: number, r: number) => retryDelay(attempt, DEFAULT_RETRY, () => r);
    expect([at(1, 0.5), at(2, 0.5), at(3, 0.5), at(9, 0.5), at(10, 0.5), at(19, 0.5)]).toEqual([30_000, 60_000, 120_000, 7_200_000, 7_200_000, 7_200_000]);
    expect([at(1, 0), at(1, 1)]).toEqual([24_000, 36_000]);
    expect(at(500, 0.99)).toBeLessThanOrEqual(7_200_000 * 1.2);
  });

  it('spreads the 20 attempts over about 24 hours', () => {
    const waits = (r: number) => Array.from({ length: DEFAULT_RETRY.maxAttempts - 1 }, (_, i) => retryDelay(i + 1, DEFAULT_RETRY, () => r)).reduce((a, b) => a + b, 0);
    expect(waits(0.5) / 3_600_000).toBeCloseTo(24.1, 1);
    expect(waits(0) / 3_600_000).toBeGreaterThan(19);
    expect(waits(1) / 3_600_000).toBeLessThan(29);
  });

  it('signs "<id>.<timestamp>.<body>" as Standard Webhooks does, once per secret', () => {
    const { secret, id, timestamp, body } = VECTOR;
    expect(signature([secret], id, timestamp, body)).toBe(VECTOR_SIGNATURE);
    expect(signature([secret], id, timestamp + 1, body)).not.toBe(VECTOR_SIGNATURE);
    expect(signature([secret], `${id}x`, timestamp, body)).not.toBe(VECTOR_SIGNATURE);
    const other = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    expect(signature([other, secret], id, timestamp, body)).toBe(`${signature([other], id, timestamp, body)} ${VECTOR_SIGNATURE}`);
  });
});

