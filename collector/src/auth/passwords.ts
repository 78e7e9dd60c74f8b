// Passwords: scrypt with a random salt, compared in constant time. The cost parameters are
// stored in each hash, so hashes made with older ones still verify, and `needsRehash` tells
// the login to upgrade them (docs/collector.md, Logins).
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** OWASP's current minimum for scrypt: N=2^17, r=8, p=1 (128 MiB per hash). */
export const SCRYPT_COST: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 64;
/** Highest N accepted from a stored hash, so a tampered row cannot ask for gigabytes. */
const MAX_N = 2 ** 20;

function scrypt(password: string, salt: Buffer, keylen: number, { N, r, p }: ScryptCost): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses more than maxmem (32 MiB by default)
  const maxmem = 128 * N * r + 16 * 1024 * 1024;
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFC'), salt, keylen, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$<salt base64>$<key base64>` */
export async function hashPassword(password: string, cost: ScryptCost = SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

function parse(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (!Number.isInteger(N) || N < 2 || N > MAX_N || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return undefined;
  return { cost: { N, r, p }, salt: Buffer.from(parts[4], 'base64'), key: Buffer.from(parts[5], 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h) return false;
  const key = await scrypt(password, h.salt, h.key.length, h.cost);
  return key.length === h.key.length && timingSafeEqual(key, h.key);
}

/** True when the hash was made with other parameters than today's. */
export function needsRehash(stored: string): boolean {
  const h = parse(stored);
  return !h || h.cost.N !== SCRYPT_COST.N || h.cost.r !== SCRYPT_COST.r || h.cost.p !== SCRYPT_COST.p;
}

/** A hash of no password with today's parameters: checking against it costs what a real check does. */
const DUMMY_HASH = ['scrypt', SCRYPT_COST.N, SCRYPT_COST.r, SCRYPT_COST.p, randomBytes(16).toString('base64'), randomBytes(KEY_LENGTH).toString('base64')].join('$');

/** Runs a password check that always fails, so an unknown email takes as long as a wrong password. */
export async function burnPasswordCheck(password: string): Promise<void> {
  await verifyPassword(password, DUMMY_HASH);
}

/** A readable random password for `users add` and `users set-password` without --password. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
