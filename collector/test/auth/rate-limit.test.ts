import { describe, expect, it } from 'vitest';
import { ACCOUNT_POLICY, ADDRESS_POLICY, LoginLimiter, MAX_DELAY_MS, addressKey } from '../../src/auth/rate-limit.js';
import { T0 } from '../helpers/fixtures.js';

describe('login throttling', () => {
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
