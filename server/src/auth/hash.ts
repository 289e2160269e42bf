import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Password and device-secret hashing with scrypt (RFC 7914), encoded as one self-describing string:
 *
 *   scrypt$<N>$<r>$<p>$<salt base64>$<key base64>
 *
 * e.g. `scrypt$16384$8$1$9kGq2c3x3m0bS0Yd1uF0tQ==$Zb1…=` — the model file stores these, never plain text.
 * Verification reads N, r and p back from the string, so old hashes keep working if the defaults change.
 */

/** The parameters new hashes are made with (OWASP's scrypt minimum is N=2^17 r=8 p=1 for passwords;
 * 2^14 keeps a login under ~50 ms on a small machine, and device secrets are long random strings). */
export const SCRYPT_DEFAULTS = {
  /** CPU/memory cost, a power of two. Memory used is 128 · N · r bytes (16 MiB here). */
  N: 16384,
  /** Block size. */
  r: 8,
  /** Parallelisation. */
  p: 1,
  /** Random salt length, bytes. */
  saltBytes: 16,
  /** Derived key length, bytes. */
  keyBytes: 32,
} as const;

/**
 * A well-formed hash (default parameters) of no secret anyone knows: verified against when the
 * account or device does not exist, so an unknown name costs the same scrypt time as a wrong secret.
 */
export const UNKNOWN_ACCOUNT_HASH =
  'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Bounds on what a stored hash may ask for, so a malformed or hostile hash cannot exhaust memory. */
const LIMITS = {
  maxN: 1 << 20,
  maxR: 32,
  maxP: 16,
  maxMemBytes: 256 * 1024 * 1024,
  minSalt: 8,
  minKey: 16,
  maxKey: 128,
};

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

interface Decoded {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function decodeB64(s: string): Buffer | undefined {
  if (!B64.test(s) || s.replace(/=+$/, '').length % 4 === 1) return undefined;
  return Buffer.from(s, 'base64');
}

function positiveInt(s: string): number | undefined {
  if (!/^[1-9][0-9]{0,9}$/.test(s)) return undefined;
  return Number(s);
}

/** Parses an encoded hash; undefined when it is not exactly the scrypt format within sane bounds. */
function decode(encoded: unknown): Decoded | undefined {
  if (typeof encoded !== 'string') return undefined;
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, nS, rS, pS, saltS, keyS] = parts as [string, string, string, string, string, string];
  const N = positiveInt(nS);
  const r = positiveInt(rS);
  const p = positiveInt(pS);
  if (N === undefined || r === undefined || p === undefined) return undefined;
  if (N < 2 || N > LIMITS.maxN || (N & (N - 1)) !== 0) return undefined; // N must be a power of two > 1
  if (r > LIMITS.maxR || p > LIMITS.maxP || memoryFor(N, r, p) > LIMITS.maxMemBytes) return undefined;
  const salt = decodeB64(saltS);
  const key = decodeB64(keyS);
  if (!salt || !key || salt.length < LIMITS.minSalt || key.length < LIMITS.minKey || key.length > LIMITS.maxKey) {
    return undefined;
  }
  return { N, r, p, salt, key };
}

/** Bytes scrypt needs: 128·N·r for V plus 128·r·p for B, plus slack for Node's own bookkeeping. */
function memoryFor(N: number, r: number, p: number): number {
  return 128 * N * r + 128 * r * p + 1024 * 1024;
}

function encode(N: number, r: number, p: number, salt: Buffer, key: Buffer): string {
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * True when `s` is a well-formed scrypt hash string (it says nothing about which secret it hashes).
 * @example isHashedSecret('planner-demo') // false
 * @example isHashedSecret(hashSecret('planner-demo')) // true
 */
export function isHashedSecret(s: unknown): boolean {
  return decode(s) !== undefined;
}

/** Hashes a password or device secret with a fresh random salt. Blocks for a few tens of ms. */
export function hashSecret(plain: string): string {
  const { N, r, p, saltBytes, keyBytes } = SCRYPT_DEFAULTS;
  const salt = randomBytes(saltBytes);
  const key = scryptSync(plain, salt, keyBytes, { N, r, p, maxmem: memoryFor(N, r, p) });
  return encode(N, r, p, salt, key);
}

/** {@link hashSecret} on libuv's thread pool, leaving the event loop free. */
export async function hashSecretAsync(plain: string): Promise<string> {
  const { N, r, p, saltBytes, keyBytes } = SCRYPT_DEFAULTS;
  const salt = randomBytes(saltBytes);
  const key = await scryptAsync(plain, salt, keyBytes, N, r, p);
  return encode(N, r, p, salt, key);
}

/**
 * True when `plain` hashes to `encoded`. Compares in constant time. Returns false — never throws —
 * for a malformed hash or a non-string input.
 */
export function verifySecret(plain: string, encoded: string): boolean {
  const d = decode(encoded);
  if (!d || typeof plain !== 'string') return false;
  try {
    const key = scryptSync(plain, d.salt, d.key.length, { N: d.N, r: d.r, p: d.p, maxmem: memoryFor(d.N, d.r, d.p) });
    return timingSafeEqual(key, d.key);
  } catch {
    return false;
  }
}

/** {@link verifySecret} on libuv's thread pool; resolves false (never rejects) on a malformed hash. */
export async function verifySecretAsync(plain: string, encoded: string): Promise<boolean> {
  const d = decode(encoded);
  if (!d || typeof plain !== 'string') return false;
  try {
    const key = await scryptAsync(plain, d.salt, d.key.length, d.N, d.r, d.p);
    return timingSafeEqual(key, d.key);
  } catch {
    return false;
  }
}

function scryptAsync(plain: string, salt: Buffer, keyLen: number, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(plain, salt, keyLen, { N, r, p, maxmem: memoryFor(N, r, p) }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}
