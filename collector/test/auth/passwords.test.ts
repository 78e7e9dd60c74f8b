import { describe, expect, it } from 'vitest';
import { SCRYPT_COST, hashPassword, needsRehash, verifyPassword } from '../../src/auth/passwords.js';

describe('passwords', () => {
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
});
