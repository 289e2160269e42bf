import { describe, expect, it } from '@jest/globals';
import { decodeFloat64, encodeFloat64 } from './float64-codec.js';

describe('float64 codec', () => {
  it('round-trips every bit, negative zero and extremes included', () => {
    const v = [0, -0, 1, -1.5, Math.PI, 1e-310, Number.MAX_VALUE, -Number.MIN_VALUE];
    const back = decodeFloat64(encodeFloat64(v), v.length);
    v.forEach((x, i) => expect(Object.is(back[i], x)).toBe(true));
  });

  it('uses about 10.7 characters a number', () => {
    expect(encodeFloat64(new Float64Array(150)).length).toBe(1600);
  });

  it('rejects the wrong length, non-base64 text and non-finite numbers, saying what is wrong', () => {
    expect(() => decodeFloat64(encodeFloat64([1, 2]), 3, 'x')).toThrow(/x must hold 3 numbers, got 2/);
    expect(() => decodeFloat64('not base64!', 1, 'x')).toThrow(/base64/);
    expect(() => decodeFloat64(42, 1, 'x')).toThrow(/base64/);
    expect(() => decodeFloat64(encodeFloat64([Number.NaN]), 1, 'x')).toThrow(/x\[0\] is NaN/);
  });
});
