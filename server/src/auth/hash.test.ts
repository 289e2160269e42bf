import { describe, it, expect } from '@jest/globals';
import { scryptSync } from 'node:crypto';
import {
  hashSecret,
  hashSecretAsync,
  isHashedSecret,
  verifySecret,
  verifySecretAsync,
  SCRYPT_DEFAULTS,
} from './hash.js';

// One hash shared by the tests: each scrypt call costs ~30-50 ms.
const HASH = hashSecret('planner-demo');

describe('hashSecret', () => {
  it('encodes scrypt with N=16384, r=8, p=1, a 16-byte salt and a 32-byte key', () => {
    const parts = HASH.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(SCRYPT_DEFAULTS.saltBytes);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(SCRYPT_DEFAULTS.keyBytes);
  });

  it('salts every hash differently, so equal secrets give different strings', () => {
    expect(hashSecret('planner-demo')).not.toBe(HASH);
  });

  it('never contains the plain text', () => {
    expect(HASH).not.toContain('planner-demo');
  });
});

describe('verifySecret', () => {
  it('accepts the secret that was hashed', () => {
    expect(verifySecret('planner-demo', HASH)).toBe(true);
  });

  it('rejects any other secret', () => {
    expect(verifySecret('planner-dem0', HASH)).toBe(false);
    expect(verifySecret('', HASH)).toBe(false);
  });

  it('returns false rather than throwing on malformed hashes', () => {
    const [, n, r, p, salt, key] = HASH.split('$');
    const malformed = [
      '',
      'planner-demo',
      'scrypt$',
      `bcrypt$${n}$${r}$${p}$${salt}$${key}`,
      `scrypt$${n}$${r}$${p}$${salt}`,
      `scrypt$${n}$${r}$${p}$${salt}$${key}$extra`,
      `scrypt$15000$${r}$${p}$${salt}$${key}`, // N not a power of two
      `scrypt$0$${r}$${p}$${salt}$${key}`,
      `scrypt$-16384$${r}$${p}$${salt}$${key}`,
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${key}`, // would need 128 GiB
      `scrypt$${n}$${r}$${p}$not*base64$${key}`,
      `scrypt$${n}$${r}$${p}$${salt}$`,
      `scrypt$${n}$${r}$${p}$${salt}$AAAA`, // 3-byte key: too short to mean anything
    ];
    for (const m of malformed) expect(verifySecret('planner-demo', m)).toBe(false);
    expect(verifySecret('planner-demo', undefined as unknown as string)).toBe(false);
    expect(verifySecret(undefined as unknown as string, HASH)).toBe(false);
  });

  it('verifies hashes made with other parameters, read back from the string', () => {
    // A hash with N=1024, r=1, p=1 and a 20-byte key, made independently of hashSecret.
    const cheap = 'scrypt$1024$1$1$c2FsdHNhbHRzYWx0$' + scryptKey('s3cret', 'saltsaltsalt', 20, 1024, 1, 1);
    expect(verifySecret('s3cret', cheap)).toBe(true);
    expect(verifySecret('s3cret!', cheap)).toBe(false);
  });
});

describe('the async variants', () => {
  it('hash and verify like the synchronous ones, interchangeably', async () => {
    const h = await hashSecretAsync('demo-taller-1-plc');
    expect(isHashedSecret(h)).toBe(true);
    expect(verifySecret('demo-taller-1-plc', h)).toBe(true);
    await expect(verifySecretAsync('demo-taller-1-plc', h)).resolves.toBe(true);
    await expect(verifySecretAsync('planner-demo', HASH)).resolves.toBe(true);
    await expect(verifySecretAsync('nope', HASH)).resolves.toBe(false);
  });

  it('resolve false on malformed hashes instead of rejecting', async () => {
    await expect(verifySecretAsync('x', 'scrypt$16384$8$1$AAAA$')).resolves.toBe(false);
    await expect(verifySecretAsync('x', 'plain text')).resolves.toBe(false);
  });
});

describe('isHashedSecret', () => {
  it('tells a scrypt hash from plain text', () => {
    expect(isHashedSecret(HASH)).toBe(true);
    expect(isHashedSecret('planner-demo')).toBe(false);
    expect(isHashedSecret('scrypt$16384$8$1$...$...')).toBe(false);
    expect(isHashedSecret(42)).toBe(false);
  });
});

function scryptKey(plain: string, salt: string, len: number, N: number, r: number, p: number): string {
  return scryptSync(plain, Buffer.from(salt), len, { N, r, p }).toString('base64');
}
