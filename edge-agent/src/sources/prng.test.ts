import { describe, it, expect } from '@jest/globals';
import { fnv1a, gaussian, mulberry32 } from './prng.js';

describe('mulberry32', () => {
  it('gives the same sequence for the same seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(xs);
    expect(mulberry32(42)()).toBe(0.6011037519201636);
  });

  it('gives different sequences for different seeds', () => {
    expect(mulberry32(1)()).not.toBe(mulberry32(2)());
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const r = mulberry32(123);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
  });
});

describe('fnv1a', () => {
  it('hashes a string to a stable unsigned 32-bit number', () => {
    expect(fnv1a('output')).toBe(2041138948);
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('energy')).not.toBe(fnv1a('output'));
  });
});

describe('gaussian', () => {
  it('follows the Box–Muller worked example', () => {
    expect(gaussian(() => 0.5)).toBeCloseTo(-1.1774100225154747, 12);
  });

  it('has mean about 0 and standard deviation about 1', () => {
    const r = mulberry32(99);
    const n = 20_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = gaussian(r);
      s += z;
      s2 += z * z;
    }
    expect(s / n).toBeCloseTo(0, 1);
    expect(Math.sqrt(s2 / n - (s / n) ** 2)).toBeCloseTo(1, 1);
  });
});
