// Failed logins are limited per (customer, email): after MAX_FAILURES within WINDOW_MS the
// account+email is locked until the oldest failure leaves the window. Kept in memory (per
// collector process); a successful login clears the count.

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;
const MAX_KEYS = 100_000;

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly clock: () => number) {}

  private key(customerId: string, email: string): string {
    return `${customerId}\u0000${email}`;
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Milliseconds until another attempt is allowed; 0 when allowed now. */
  retryAfter(customerId: string, email: string): number {
    const now = this.clock();
    const list = this.recent(this.key(customerId, email), now);
    return list.length >= MAX_FAILURES ? list[0] + WINDOW_MS - now : 0;
  }

  fail(customerId: string, email: string): void {
    const now = this.clock();
    const key = this.key(customerId, email);
    const list = this.recent(key, now);
    list.push(now);
    this.failures.set(key, list);
    if (this.failures.size > MAX_KEYS) {
      // bounded memory under a spray of made-up emails: forget the oldest entry
      const first = this.failures.keys().next().value;
      if (first !== undefined) this.failures.delete(first);
    }
  }

  succeed(customerId: string, email: string): void {
    this.failures.delete(this.key(customerId, email));
  }
}
