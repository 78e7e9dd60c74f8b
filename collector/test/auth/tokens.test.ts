import { describe, expect, it } from 'vitest';
import { newApiToken, newSessionId, parseApiToken, parseSessionId } from '../../src/auth/tokens.js';

describe('tokens and session IDs', () => {
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
});
