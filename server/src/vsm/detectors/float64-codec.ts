/**
 * Exact, compact text encoding of float64 vectors for detector snapshots: the little-endian IEEE-754
 * bytes in base64 (10.7 characters a number instead of ~19 as JSON, and −0, which JSON loses, survives).
 *
 * @example
 *   encodeFloat64([1, -0])            // 'AAAAAAAA8D8AAAAAAAAAgA=='
 *   decodeFloat64('AAAAAAAA8D8AAAAAAAAAgA==', 2)   // Float64Array [1, -0]
 */

export function encodeFloat64(values: ArrayLike<number>): string {
  const buf = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) buf.writeDoubleLE(values[i]!, i * 8);
  return buf.toString('base64');
}

/** Decodes `length` finite numbers; throws a RangeError saying what is wrong otherwise. */
export function decodeFloat64(text: unknown, length: number, what = 'state'): Float64Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw new RangeError(`${what} must be a base64 string`);
  const buf = Buffer.from(text, 'base64');
  if (buf.length !== length * 8) throw new RangeError(`${what} must hold ${length} numbers, got ${buf.length / 8}`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = buf.readDoubleLE(i * 8);
    if (!Number.isFinite(v)) throw new RangeError(`${what}[${i}] is ${v}, expected a finite number`);
    out[i] = v;
  }
  return out;
}
