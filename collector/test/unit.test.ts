// Pure functions: money, durations, CSV, validation messages, ranges, tokens, passwords,
// webhook backoff and signatures.
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/auth/passwords.js';
import { LoginLimiter, MAX_FAILURES, WINDOW_MS } from '../src/auth/rate-limit.js';
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
    expect(bad({ type: 'refund' })).toBe('events[2].type: must be "cart" or "order"');
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
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('s3cret pass', a)).toBe(true);
    expect(await verifyPassword('s3cret pasS', a)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('limits failed logins per account and email, then lets them try again', () => {
    let now = T0;
    const limiter = new LoginLimiter(() => now);
    for (let i = 0; i < MAX_FAILURES; i++) limiter.fail('1', 'a@b.c');
    expect(limiter.retryAfter('1', 'a@b.c')).toBe(WINDOW_MS);
    expect(limiter.retryAfter('2', 'a@b.c')).toBe(0);
    now += WINDOW_MS;
    expect(limiter.retryAfter('1', 'a@b.c')).toBe(0);
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

const REFERENCE = '38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789';

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

  it('signs "<timestamp>.<body>" with HMAC-SHA256', () => {
    // reference value from: printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    expect(signature('whsec_test', 1_700_000_000, '{"a":1}')).toBe(`sha256=${REFERENCE}`);
    expect(signature('whsec_test', 1_700_000_001, '{"a":1}')).not.toBe(`sha256=${REFERENCE}`);
  });
});

