import { describe, it, expect } from '@jest/globals';
import { MIN_COLUMN_LENGTH, growColumn } from './grow-column.js';

describe('growColumn', () => {
  it('returns the same column while the index fits', () => {
    const c = new Int32Array(4);
    expect(growColumn(c, 3)).toBe(c);
  });

  it('grows to at least MIN_COLUMN_LENGTH, keeping old entries and filling new ones', () => {
    const c = growColumn(Int32Array.of(7, 8), 5, -1);
    expect(c).toBeInstanceOf(Int32Array);
    expect(c.length).toBe(MIN_COLUMN_LENGTH);
    expect(Array.from(c.subarray(0, 4))).toEqual([7, 8, -1, -1]);
    expect(c[MIN_COLUMN_LENGTH - 1]).toBe(-1);
  });

  it('doubles until the index fits and keeps the element type', () => {
    const f = new Float64Array(16);
    f[15] = 1.5;
    const g = growColumn(f, 100);
    expect(g).toBeInstanceOf(Float64Array);
    expect(g.length).toBe(128);
    expect(g[15]).toBe(1.5);
    expect(g[100]).toBe(0);
  });

  it('rejects a negative or fractional index', () => {
    expect(() => growColumn(new Int32Array(0), -1)).toThrow(RangeError);
    expect(() => growColumn(new Int32Array(0), 1.5)).toThrow(/non-negative integer/);
  });
});
