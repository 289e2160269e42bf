import { describe, it, expect } from '@jest/globals';
import { rollup, type RollupInput } from './rollup.js';
import { ROLLUP_RULES } from './model.js';

const values = (...vs: number[]): RollupInput[] => vs.map((value) => ({ value }));

describe('rollup', () => {
  it.each(ROLLUP_RULES.map((rule) => [rule]))(
    'returns null, never a silent zero, when no child has a value (%s)',
    (rule) => {
      expect(rollup(rule, [])).toBeNull();
    },
  );

  describe('sum', () => {
    it('adds the children: 2 + 3 = 5', () => {
      expect(rollup('sum', values(2, 3))).toBe(5);
    });

    it('adds negative and fractional values: 1.5 - 0.5 + 4 = 5', () => {
      expect(rollup('sum', values(1.5, -0.5, 4))).toBe(5);
    });

    it('returns a real zero when the children sum to zero', () => {
      expect(rollup('sum', values(0))).toBe(0);
      expect(rollup('sum', values(2, -2))).toBe(0);
    });

    it('ignores weights', () => {
      expect(
        rollup('sum', [
          { value: 2, weight: 10 },
          { value: 3, weight: 0 },
        ]),
      ).toBe(5);
    });
  });

  describe('mean', () => {
    it('averages the children: (2 + 3 + 7) / 3 = 4', () => {
      expect(rollup('mean', values(2, 3, 7))).toBe(4);
    });

    it('averages to a fraction: (1 + 2) / 2 = 1.5', () => {
      expect(rollup('mean', values(1, 2))).toBe(1.5);
    });

    it('returns the only value of a single child', () => {
      expect(rollup('mean', values(-8.25))).toBe(-8.25);
    });

    it('ignores weights: (10 + 20) / 2 = 15', () => {
      expect(
        rollup('mean', [
          { value: 10, weight: 1 },
          { value: 20, weight: 3 },
        ]),
      ).toBe(15);
    });
  });

  describe('weighted_mean', () => {
    it('weighs each child: (10×1 + 20×3) / (1 + 3) = 17.5', () => {
      expect(
        rollup('weighted_mean', [
          { value: 10, weight: 1 },
          { value: 20, weight: 3 },
        ]),
      ).toBe(17.5);
    });

    it('counts a child without a weight as weight 1', () => {
      expect(rollup('weighted_mean', [{ value: 10 }, { value: 20, weight: 3 }])).toBe(17.5);
    });

    it('is the plain mean when no child has a weight: (2 + 3 + 7) / 3 = 4', () => {
      expect(rollup('weighted_mean', values(2, 3, 7))).toBe(4);
    });

    it('leaves out a child of weight zero: (10×0 + 20×2) / 2 = 20', () => {
      expect(
        rollup('weighted_mean', [
          { value: 10, weight: 0 },
          { value: 20, weight: 2 },
        ]),
      ).toBe(20);
    });

    it('returns null when every weight is zero', () => {
      expect(
        rollup('weighted_mean', [
          { value: 10, weight: 0 },
          { value: 20, weight: 0 },
        ]),
      ).toBeNull();
    });

    it('weighs councils by members: (0.5×12 + 0.9×4) / 16 = 0.6', () => {
      expect(
        rollup('weighted_mean', [
          { value: 0.5, weight: 12 },
          { value: 0.9, weight: 4 },
        ]),
      ).toBeCloseTo(0.6, 12);
    });

    it('accepts fractional weights: (4×0.25 + 8×0.75) / 1 = 7', () => {
      expect(
        rollup('weighted_mean', [
          { value: 4, weight: 0.25 },
          { value: 8, weight: 0.75 },
        ]),
      ).toBe(7);
    });
  });

  describe('min and max', () => {
    it('picks the smallest and the largest child', () => {
      expect(rollup('min', values(3, -1, 2))).toBe(-1);
      expect(rollup('max', values(3, -1, 2))).toBe(3);
    });

    it('returns the only value of a single child', () => {
      expect(rollup('min', values(42))).toBe(42);
      expect(rollup('max', values(42))).toBe(42);
    });

    it('works when every child is negative', () => {
      expect(rollup('min', values(-5, -2, -9))).toBe(-9);
      expect(rollup('max', values(-5, -2, -9))).toBe(-2);
    });

    it('ignores weights', () => {
      expect(
        rollup('min', [
          { value: 5, weight: 100 },
          { value: 1, weight: 0 },
        ]),
      ).toBe(1);
      expect(
        rollup('max', [
          { value: 5, weight: 0 },
          { value: 1, weight: 100 },
        ]),
      ).toBe(5);
    });
  });

  it('does not modify its inputs', () => {
    const inputs = Object.freeze([Object.freeze({ value: 1, weight: 2 }), Object.freeze({ value: 3 })]);
    for (const rule of ROLLUP_RULES) rollup(rule, inputs);
    expect(inputs).toEqual([{ value: 1, weight: 2 }, { value: 3 }]);
  });
});
