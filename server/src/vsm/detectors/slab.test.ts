import { describe, expect, it } from '@jest/globals';
import { f32Down, f32Up, fromBf16, SlabAllocator, toBf16, toF32 } from './slab.js';

describe('SlabAllocator', () => {
  it('hands out consecutive slots of a slab, then starts a new slab when one is full', () => {
    const a = new SlabAllocator(16, 2, 'm');
    const s1 = a.alloc();
    const s2 = a.alloc();
    const s3 = a.alloc();
    expect([s1.base8, s2.base8, s3.base8]).toEqual([0, 2, 0]);
    expect(s1.slab).toBe(s2.slab);
    expect(s3.slab).not.toBe(s1.slab);
    expect(s1.slab.model).toBe('m');
    expect(s1.slab.u8.length).toBe(32);
  });

  it('reuses a freed slot first, zeroed', () => {
    const a = new SlabAllocator(16, 4, null);
    const s1 = a.alloc();
    a.alloc();
    s1.slab.f64[s1.base8] = 7;
    s1.slab.f64[s1.base8 + 1] = -2;
    a.free(s1.slab, s1.base8);
    const again = a.alloc();
    expect(again).toEqual({ slab: s1.slab, base8: s1.base8 });
    expect([again.slab.f64[0], again.slab.f64[1]]).toEqual([0, 0]);
    expect(a.alloc().base8).toBe(4); // then new slots again
  });

  it('rejects a stride that is not a positive multiple of 8 and a capacity below 1', () => {
    expect(() => new SlabAllocator(12, 4, null)).toThrow(/multiple of 8/);
    expect(() => new SlabAllocator(16, 0, null)).toThrow(/capacity/);
  });
});

describe('float32 helpers', () => {
  it('clamps to the finite float32 range', () => {
    expect(Math.fround(toF32(1e300))).toBe(3.4028234663852886e38);
    expect(Math.fround(toF32(-1e300))).toBe(-3.4028234663852886e38);
    expect(toF32(1.5)).toBe(1.5);
  });

  it('steps to the neighbouring float32 values', () => {
    const x = Math.fround(0.1);
    expect(f32Down(x)).toBeLessThan(x);
    expect(f32Up(x)).toBeGreaterThan(x);
    expect(Math.fround(f32Down(x))).toBe(f32Down(x));
    expect(f32Up(f32Down(x))).toBe(x);
    expect(f32Down(-x)).toBe(-f32Up(x));
    expect(f32Down(0)).toBeLessThan(0);
    expect(f32Up(0)).toBeGreaterThan(0);
  });

  it('keeps 8 significant bits in bf16, rounding to nearest, and never rounds up to Infinity', () => {
    expect(fromBf16(toBf16(3))).toBe(3);
    expect(fromBf16(toBf16(0))).toBe(0);
    for (const x of [1 / 3, 123.456, 1e-30, 7e20]) expect(Math.abs(fromBf16(toBf16(x)) / x - 1)).toBeLessThan(2 ** -8);
    expect(Number.isFinite(fromBf16(toBf16(1e300)))).toBe(true);
  });
});
