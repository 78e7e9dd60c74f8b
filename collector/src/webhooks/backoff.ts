// When a failed delivery is tried again: exponential backoff with a cap and jitter, and a
// last attempt after which the delivery is dead (kept, listable, retriable by hand).

export interface RetryPolicy {
  /** wait after the first failure */
  baseDelayMs: number;
  /** the longest wait (before jitter) */
  maxDelayMs: number;
  /** attempts in all; the delivery is dead after the last one fails */
  maxAttempts: number;
}

/** 30 s, doubling up to 2 h: 20 attempts spread over about 24 hours. */
export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 30_000, maxDelayMs: 2 * 3_600_000, maxAttempts: 20 };

/**
 * Delay after failed attempt `attempt` (1 for the first): base·2^(attempt−1), at most the cap,
 * then ±20 % jitter, so the deliveries queued while a receiver was down do not all return at once.
 */
export function retryDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 40));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}
