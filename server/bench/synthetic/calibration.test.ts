import { describe, expect, it } from '@jest/globals';
import { reliability } from './calibration.js';

describe('reliability', () => {
  it('bins stated probabilities in tenths with the observed frequency, and gives the Brier score', () => {
    const r = reliability([
      { p: 0.95, outcome: true },
      { p: 0.95, outcome: false },
      { p: 0.05, outcome: false },
      { p: 1, outcome: true }, // 1 falls in the last bin
    ]);
    expect(r.count).toBe(4);
    expect(r.baseRate).toBe(0.5);
    expect(r.brier).toBeCloseTo((0.05 ** 2 + 0.95 ** 2 + 0.05 ** 2 + 0) / 4, 12);
    expect(r.bins).toHaveLength(10);
    expect(r.bins[0]).toEqual({ lower: 0, upper: 0.1, count: 1, meanStated: 0.05, observed: 0 });
    expect(r.bins[9]!.count).toBe(3);
    expect(r.bins[9]!.meanStated).toBeCloseTo(2.9 / 3, 12);
    expect(r.bins[9]!.observed).toBeCloseTo(2 / 3, 12);
    expect(r.bins.slice(1, 9).every((b) => b.count === 0 && Number.isNaN(b.observed))).toBe(true);
  });

  it('is NaN, not 0, with nothing to score', () => {
    const r = reliability([]);
    expect(r.count).toBe(0);
    expect(r.brier).toBeNaN();
    expect(r.baseRate).toBeNaN();
  });
});
