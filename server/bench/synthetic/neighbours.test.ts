import { describe, expect, it } from '@jest/globals';
import type { DetectorOutput, StreamingDetector } from '../../src/vsm/detectors/detector.js';
import { SYNTHETIC_EPOCH_MS } from './families.js';
import { NEIGHBOURS, NEIGHBOUR_LENGTH, evaluateNeighbours, generateNeighbour } from './neighbours.js';

/** Alerts on every reading whose index is a multiple of n (from the nth), learning on the first `learning`. */
function everyNth(n: number, learning = 0): StreamingDetector {
  let i = 0;
  return {
    update: (): DetectorOutput => {
      const alert = ++i % n === 0;
      return { score: 0, kind: 'none', probability: 0, forecast: null, alert, learning: i <= learning };
    },
    snapshot: () => ({ type: 'fake', version: 1 }),
  };
}

describe('null families beyond the suite', () => {
  it('holds two sets of uniquely named families, the held-out one apart from the probe one', () => {
    const names = NEIGHBOURS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(NEIGHBOURS.filter((f) => f.set === 'probe').length).toBeGreaterThan(20);
    expect(NEIGHBOURS.filter((f) => f.set === 'held-out').length).toBeGreaterThan(20);
  });

  it('generates 10,000 finite readings at its cadence from the epoch, the same for the same seed and not for another', () => {
    expect(generateNeighbour(NEIGHBOURS[0]!, 1).values).toHaveLength(NEIGHBOUR_LENGTH);
    for (const f of NEIGHBOURS) {
      const a = generateNeighbour(f, 3, 2000);
      expect({ name: f.name, n: a.values.length, finite: a.values.every(Number.isFinite) }).toEqual({
        name: f.name,
        n: 2000,
        finite: true,
      });
      expect(a.times[0]).toBe(SYNTHETIC_EPOCH_MS);
      if (f.stepMs > 0) expect(a.times[1]! - a.times[0]!).toBe(f.stepMs);
      else for (let i = 1; i < 100; i++) expect(a.times[i]! - a.times[i - 1]!).toBeGreaterThanOrEqual(1000);
      expect(generateNeighbour(f, 3, 2000)).toEqual(a);
      expect(generateNeighbour(f, 4, 2000).values).not.toEqual(a.values);
    }
  });

  it('draws what its name says: Poisson counts with their mean, a daily cycle peaking at 06:00 UTC, a 1e6 level with 1e-3 noise', () => {
    const byName = (n: string) => NEIGHBOURS.find((f) => f.name === n)!;
    const counts = generateNeighbour(byName('poisson0.3'), 1).values;
    expect(counts.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    expect(counts.reduce((a, x) => a + x, 0) / counts.length).toBeCloseTo(0.3, 1);
    const day = generateNeighbour(byName('daily-1m-a10'), 1).values; // Monday: no weekend drop
    const at = (h: number) => day.slice(h * 60 - 30, h * 60 + 30).reduce((a, x) => a + x, 0) / 60;
    expect(at(6)).toBeGreaterThan(9);
    expect(at(18)).toBeLessThan(-9);
    const big = generateNeighbour(byName('level-1e6-noise-1e-3'), 1).values;
    expect(Math.max(...big) - Math.min(...big)).toBeLessThan(0.02);
  });

  it('counts onsets and alert rows per 10,000 readings and alert rows while learning, per family of the set asked for', () => {
    const rows = evaluateNeighbours(() => everyNth(100, 250), 'held-out', { seeds: 2, length: 1000 });
    expect(rows.map((r) => r.name)).toEqual(NEIGHBOURS.filter((f) => f.set === 'held-out').map((f) => f.name));
    for (const r of rows) {
      expect(r).toMatchObject({ readings: 2000, onsetsPer10k: 100, alertRowsPer10k: 100, learningAlertRows: 4 });
    }
    // alert rows closer than 10 readings are one onset
    const [dense] = evaluateNeighbours(() => everyNth(5), 'probe', { seeds: 1, length: 1000 });
    expect(dense).toMatchObject({ onsetsPer10k: 10, alertRowsPer10k: 2000 });
    expect(evaluateNeighbours(() => everyNth(100), 'all', { seeds: 1, length: 100 })).toHaveLength(NEIGHBOURS.length);
  });
});
