// Login throttling with growing delays that decay (docs/collector.md, Logins). Two kinds of
// keys: the client address (an IPv6 client by its /64) and the account (customer, email).
// Each failed login adds one to both counts; a count drops by one for every `decayMs` without
// a failure. Once a count reaches `free`, the next attempt waits 1 s · 2^(count − free) after
// the last failure, at most MAX_DELAY_MS. The account's delay does not apply from addresses
// the account logged in from within USUAL_ADDRESS_MS, so guessing from elsewhere never keeps
// its user out. Kept in memory, per collector process; a successful login clears the account.

export interface ThrottlePolicy {
  /** failures before any delay */
  free: number;
  /** one failure is forgotten per this many ms without failures */
  decayMs: number;
}

const MINUTE = 60_000;
export const ACCOUNT_POLICY: ThrottlePolicy = { free: 5, decayMs: 10 * MINUTE };
export const ADDRESS_POLICY: ThrottlePolicy = { free: 20, decayMs: 5 * MINUTE };
export const MAX_DELAY_MS = 15 * MINUTE;
export const USUAL_ADDRESS_MS = 30 * 24 * 60 * MINUTE;
/** Addresses remembered per account. */
const USUAL_ADDRESSES = 10;
/** Keys per map: under a spray of made-up emails or addresses the least recent are forgotten. */
const MAX_KEYS = 100_000;

interface Entry {
  count: number;
  /** the last failure */
  at: number;
}

/** A map that forgets its least recently written key beyond MAX_KEYS. */
class BoundedMap<V> extends Map<string, V> {
  override set(key: string, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > MAX_KEYS) this.delete(this.keys().next().value!);
    return this;
  }
}

class Throttle {
  private readonly entries = new BoundedMap<Entry>();

  constructor(
    private readonly policy: ThrottlePolicy,
    private readonly clock: () => number,
  ) {}

  /** The failure count after decay; forgets the key once it reaches 0. */
  private count(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const count = e.count - Math.floor((now - e.at) / this.policy.decayMs);
    if (count > 0) return { count, at: e.at };
    this.entries.delete(key);
    return undefined;
  }

  /** Milliseconds until the key may try again; 0 when now. */
  wait(key: string): number {
    const now = this.clock();
    const e = this.count(key, now);
    if (!e || e.count < this.policy.free) return 0;
    const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** (e.count - this.policy.free));
    return Math.max(0, e.at + delay - now);
  }

  fail(key: string): void {
    const now = this.clock();
    this.entries.set(key, { count: (this.count(key, now)?.count ?? 0) + 1, at: now });
  }

  clear(key: string): void {
    this.entries.delete(key);
  }
}

/** The throttling key of a client address: IPv4 as is, IPv6 by its /64 (one host holds a whole /64). */
export function addressKey(ip: string): string {
  const address = ip.split('%')[0].toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const [head, tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export class LoginLimiter {
  private readonly accounts: Throttle;
  private readonly addresses: Throttle;
  /** account → address → last successful login */
  private readonly usual = new BoundedMap<Map<string, number>>();

  constructor(private readonly clock: () => number) {
    this.accounts = new Throttle(ACCOUNT_POLICY, clock);
    this.addresses = new Throttle(ADDRESS_POLICY, clock);
  }

  private account(customerId: string, email: string): string {
    return `${customerId}\u0000${email}`;
  }

  private isUsual(account: string, address: string): boolean {
    const at = this.usual.get(account)?.get(address);
    return at !== undefined && this.clock() - at < USUAL_ADDRESS_MS;
  }

  /** Whether the account logged in from this address within USUAL_ADDRESS_MS. */
  usualAddress(customerId: string, email: string, ip: string): boolean {
    return this.isUsual(this.account(customerId, email), addressKey(ip));
  }

  /** The address was refused a password check (all were taken): counted as a failure of the address, so one flooding the checks runs out of tries. */
  busy(ip: string): void {
    this.addresses.fail(addressKey(ip));
  }

  /** Milliseconds until this address may try this account again; 0 when now. */
  retryAfter(customerId: string, email: string, ip: string): number {
    const account = this.account(customerId, email);
    const address = addressKey(ip);
    return Math.max(this.addresses.wait(address), this.isUsual(account, address) ? 0 : this.accounts.wait(account));
  }

  fail(customerId: string, email: string, ip: string): void {
    const account = this.account(customerId, email);
    const address = addressKey(ip);
    this.addresses.fail(address);
    // the user's own mistakes from its usual addresses are the address's to throttle
    if (!this.isUsual(account, address)) this.accounts.fail(account);
  }

  /** Clears the account's failures and remembers the address as one of its usual ones. */
  succeed(customerId: string, email: string, ip: string): void {
    const account = this.account(customerId, email);
    this.accounts.clear(account);
    const known = this.usual.get(account) ?? new Map<string, number>();
    known.delete(addressKey(ip));
    known.set(addressKey(ip), this.clock());
    if (known.size > USUAL_ADDRESSES) known.delete(known.keys().next().value!);
    this.usual.set(account, known);
  }
}
