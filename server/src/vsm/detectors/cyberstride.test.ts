import { describe, expect, it } from '@jest/globals';
import { describeDetectorContract } from './detector-contract.js';
import { CYBERSTRIDE_DEFAULTS, CyberstrideDetector, cyberstrideModel, normalCdf } from './cyberstride.js';
import { restoreDetector } from './restore.js';
import { seededRandom } from './seeded-random.js';
import type { DetectorOutput } from './detector.js';

describeDetectorContract('CyberstrideDetector', () => new CyberstrideDetector(), restoreDetector);

const FIRE = CYBERSTRIDE_DEFAULTS.fireAt;

/** The server's end-to-end scenario: `before` readings of 100 ± 2 (uniform), then level + step, one a second. */
function stepRun(seed: number, step: number, before = 120, after = 40): DetectorOutput[] {
  const rnd = seededRandom(seed);
  const d = new CyberstrideDetector();
  const out: DetectorOutput[] = [];
  for (let i = 0; i < before + after; i++) out.push(d.update((i < before ? 100 : 100 + step) + (rnd.uniform() - 0.5) * 4, 1_700_000_000_000 + i * 1000));
  return out;
}

describe('CyberstrideDetector alerts', () => {
  it('fires within three readings of a clean step of 15 noise sigmas and then reports it as a step above the threshold', () => {
    const sigma = 4 / Math.sqrt(12);
    for (const seed of [1, 2, 3, 4, 5, 42]) {
      for (const step of [15 * sigma, 60, -60]) {
        const out = stepRun(seed, step).slice(120);
        const first = out.findIndex((o) => o.score >= FIRE);
        expect({ seed, step, first: first >= 0 && first < 3 }).toEqual({ seed, step, first: true });
        const confirmed = out.slice(0, 6).some((o) => o.score >= FIRE && o.kind === 'step' && o.probability > 0.5);
        expect({ seed, step, confirmed }).toEqual({ seed, step, confirmed: true });
      }
    }
  });

  it('stays below the threshold on the steady part of that series (no alert before the step)', () => {
    for (const seed of [1, 2, 3, 4, 5, 42]) {
      expect(stepRun(seed, 60).slice(0, 120).filter((o) => o.score >= FIRE)).toEqual([]);
    }
  });

  it('fires rarely on long stationary Gaussian noise', () => {
    let n = 0;
    let fired = 0;
    for (const seed of [11, 12, 13]) {
      const rnd = seededRandom(seed);
      const d = new CyberstrideDetector();
      for (let t = 0; t < 5000; t++) {
        const o = d.update(50 + 3 * rnd.normal(), t * 300_000);
        if (t >= 750) {
          n++;
          if (o.score >= FIRE) fired++;
        }
      }
    }
    expect(fired / n).toBeLessThan(0.002);
  });

  it('scores a new extreme beyond the range seen so far as 1', () => {
    const rnd = seededRandom(9);
    const d = new CyberstrideDetector();
    for (let t = 0; t < 500; t++) d.update(10 + rnd.uniform(), t * 60_000);
    expect(d.update(12, 500 * 60_000).score).toBe(1);
  });

  it('damps the score for `refractory` readings after firing, so one anomaly is one detection', () => {
    const rnd = seededRandom(10);
    const d = new CyberstrideDetector();
    for (let t = 0; t < 500; t++) d.update(10 + rnd.uniform(), t * 60_000);
    expect(d.update(15, 500 * 60_000).score).toBe(1); // a spike: fires
    d.update(10.5, 501 * 60_000);
    const again = d.update(16, 502 * 60_000); // a bigger spike soon after: damped
    expect(again.score).toBeLessThan(FIRE);
    expect(again.score).toBeGreaterThan(0);
  });

  it('learns a daily cycle: the usual rise at the usual hour is not an anomaly, a missing rise is', () => {
    const day = 288; // readings of 5 minutes
    const rnd = seededRandom(12);
    const d = new CyberstrideDetector();
    const value = (t: number, skip: boolean) => ((t % day) >= 100 && (t % day) < 200 && !skip ? 80 : 20) + rnd.uniform();
    let firedOnCycle = 0;
    for (let t = 0; t < 14 * day; t++) {
      const o = d.update(value(t, false), t * 300_000);
      if (t >= 3 * day && o.score >= FIRE) firedOnCycle++;
    }
    let firedOnMissingRise = false;
    for (let t = 14 * day; t < 15 * day; t++) if (d.update(value(t, true), t * 300_000).score >= FIRE) firedOnMissingRise = true;
    expect(firedOnCycle).toBe(0);
    expect(firedOnMissingRise).toBe(true);
  });

  it('gives score 0 for the first `warmup` readings', () => {
    const d = new CyberstrideDetector({ warmup: 30 });
    for (let t = 0; t < 30; t++) expect(d.update(t % 3 === 0 ? 1e6 : 1, t).score).toBe(0);
  });
});

describe('CyberstrideDetector state', () => {
  it('keeps its snapshot under 2 KiB of JSON', () => {
    const rnd = seededRandom(4);
    const d = new CyberstrideDetector();
    for (let t = 0; t < 3000; t++) d.update(1e8 * rnd.normal() + (t % 700 === 0 ? 1e10 : 0), t * 300_000 + 0.123);
    expect(JSON.stringify(d.snapshot()).length).toBeLessThanOrEqual(2048);
  });

  it('rejects bad options with a message that names the option', () => {
    expect(() => new CyberstrideDetector({ levelRate: 0 })).toThrow(/levelRate/);
    expect(() => new CyberstrideDetector({ seasonalBins: 97 })).toThrow(/seasonalBins/);
    expect(() => new CyberstrideDetector({ fireAt: 2 })).toThrow(/fireAt/);
    expect(() => new CyberstrideDetector({ harrisonStevens: { warmup: 1 } })).toThrow(/warmup/);
  });

  it('restores with the seasonal baseline switched off, and rejects a snapshot with the wrong number of counts', () => {
    const d = new CyberstrideDetector({ seasonalBins: 0 });
    for (let t = 0; t < 50; t++) d.update(Math.sin(t), t);
    const again = restoreDetector(JSON.parse(JSON.stringify(d.snapshot())));
    expect(again.update(3, 50)).toEqual(d.update(3, 50));
    const bad = { ...new CyberstrideDetector().snapshot(), counts: '0' };
    expect(() => restoreDetector(bad)).toThrow(/counts/);
  });

  it('keeps every seasonal bin count, up to the cap of 35, through snapshot and restore (with any number of bins)', () => {
    for (const bins of [1, 7, 8, 9, 24, 96]) {
      const d = new CyberstrideDetector({ seasonalBins: bins });
      d.update(5, 0); // the first reading only initialises
      // Bin b then gets b % 40 readings: counts 0 to 39, so some reach the cap.
      let t = 0;
      for (let b = 0; b < bins; b++) for (let k = 0; k < b % 40; k++) d.update(5 + (k % 3), (b * 86_400_000) / bins + 1 + t++);
      const expected = Array.from({ length: bins }, (_, b) => Math.min(b % 40, 35).toString(36)).join('');
      const snap = d.snapshot();
      expect(snap.counts).toBe(expected);
      const again = restoreDetector(JSON.parse(JSON.stringify(snap)));
      expect(again.snapshot()).toEqual(snap);
      for (let k = 0; k < 200; k++) {
        const ts = 90_000_000 + k * 3_600_000;
        expect(again.update(5 + (k % 7), ts)).toEqual(d.update(5 + (k % 7), ts));
      }
    }
  });

  it('shares one frozen copy of the resolved options between detectors, and gives each snapshot its own copy', () => {
    const a = new CyberstrideDetector({ seasonalBins: 12 });
    const b = new CyberstrideDetector({ seasonalBins: 12 });
    const snapA = a.snapshot();
    snapA.options.harrisonStevens.prior[0] = 0.5;
    snapA.options.fireAt = 0.5;
    expect(b.snapshot().options).toEqual(new CyberstrideDetector({ seasonalBins: 12 }).snapshot().options);
    expect(b.snapshot().options.fireAt).toBe(CYBERSTRIDE_DEFAULTS.fireAt);
    expect(cyberstrideModel({ seasonalBins: 12 })).toBe(cyberstrideModel({ seasonalBins: 12 }));
    expect(cyberstrideModel({})).toBe(cyberstrideModel());
    expect(cyberstrideModel({ seasonalBins: 12 })).not.toBe(cyberstrideModel({ seasonalBins: 13 }));
    expect(Object.isFrozen(cyberstrideModel().opts.harrisonStevens.prior)).toBe(true);
  });
});

describe('normalCdf', () => {
  it('matches the standard normal distribution function', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
    expect(normalCdf(2.326348)).toBeCloseTo(0.99, 6);
    expect(normalCdf(40)).toBe(1);
  });
});
