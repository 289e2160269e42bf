import { describe, expect, it } from '@jest/globals';
import { benchDetector, syntheticSeries } from './bench.js';

describe('benchDetector', () => {
  it('times the given number of updates and reports microseconds per update', () => {
    const r = benchDetector(2000);
    expect(r.n).toBe(2000);
    expect(r.microsPerUpdate).toBeGreaterThan(0);
    expect(r.updatesPerSecond).toBeCloseTo(1e6 / r.microsPerUpdate, 6);
    expect(Number.isFinite(r.cpuMicrosPerUpdate)).toBe(true);
  });

  it('benchmarks a deterministic series', () => {
    expect(syntheticSeries(1000, 3)).toEqual(syntheticSeries(1000, 3));
  });
});
