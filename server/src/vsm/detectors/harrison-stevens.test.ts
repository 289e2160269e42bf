import { describe, expect, it } from '@jest/globals';
import type { DetectorOutput } from './detector.js';
import { describeDetectorContract, firstDifference } from '../../../test/support/detector-contract.js';
import {
  HARRISON_STEVENS_DEFAULTS,
  HarrisonStevensDetector,
  harrisonStevensModel,
  resolveHarrisonStevensOptions,
  tQuantile975,
} from './harrison-stevens.js';
import { restoreDetector } from './restore.js';
import { seededRandom } from '../../../bench/synthetic/seeded-random.js';

describeDetectorContract('HarrisonStevensDetector', () => new HarrisonStevensDetector(), restoreDetector);

const SIGMA = 3;
const ONSET = 200;

/** Runs a fresh detector over `n` readings of 100 + N(0, σ²) + change(t). */
function run(seed: number, n: number, change: (t: number) => number, opts = {}): DetectorOutput[] {
  const rnd = seededRandom(seed);
  const d = new HarrisonStevensDetector(opts);
  const out: DetectorOutput[] = [];
  for (let t = 0; t < n; t++) out.push(d.update(100 + SIGMA * rnd.normal() + change(t), t));
  return out;
}

/** First reading at or after ONSET reporting `kind` with probability > 0.5, as an offset from ONSET; -1 if none within `within`. */
function delay(out: DetectorOutput[], kind: string, within: number): number {
  for (let t = ONSET; t < ONSET + within; t++) if (out[t]!.kind === kind && out[t]!.probability > 0.5) return t - ONSET;
  return -1;
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('HarrisonStevensDetector classification', () => {
  it('reports a 6σ step as a step with probability > 0.5 within three readings, on every seed', () => {
    const delays = SEEDS.map((seed) =>
      delay(
        run(seed, ONSET + 30, (t) => (t >= ONSET ? 6 * SIGMA : 0)),
        'step',
        3,
      ),
    );
    expect(delays.filter((d) => d < 0)).toEqual([]);
  });

  it('flags the first reading of a step at once (score near 1), before it can tell a step from an outlier', () => {
    const scores = SEEDS.map((seed) => run(seed, ONSET + 1, (t) => (t >= ONSET ? 6 * SIGMA : 0))[ONSET]!.score);
    expect(Math.min(...scores)).toBeGreaterThan(0.5);
    expect(scores.filter((s) => s > 0.9).length).toBeGreaterThanOrEqual(18);
  });

  it('settles after a step: the new level is learnt and flags fall back to the stationary rate', () => {
    let flagged = 0;
    let n = 0;
    for (const seed of SEEDS) {
      const out = run(seed, ONSET + 60, (t) => (t >= ONSET ? 6 * SIGMA : 0));
      for (const o of out.slice(ONSET + 10)) {
        n++;
        if (o.kind !== 'none') flagged++;
      }
      expect(Math.abs(out[ONSET + 59]!.forecast!.mean - (100 + 6 * SIGMA))).toBeLessThan(1.5 * SIGMA);
    }
    expect(flagged / n).toBeLessThan(0.03);
  });

  it('reports a single 6σ outlier (up or down) as a transient, never as a step or slope', () => {
    for (const seed of SEEDS) {
      for (const sign of [1, -1]) {
        const out = run(seed, ONSET + 3, (t) => (t === ONSET ? sign * 6 * SIGMA : 0));
        expect(delay(out, 'transient', 2)).toBeGreaterThanOrEqual(0);
        expect(
          out.slice(ONSET).filter((o) => (o.kind === 'step' || o.kind === 'slope') && o.probability > 0.5),
        ).toEqual([]);
        expect(out[ONSET + 2]!.kind).toBe('transient'); // confirmed two readings later
        expect(out[ONSET + 2]!.probability).toBeGreaterThan(0.9);
      }
    }
  });

  it('widens the band while an outlier is ambiguous, then forecasts the old level again', () => {
    const out = run(3, ONSET + 5, (t) => (t === ONSET ? 10 * SIGMA : 0));
    const before = out[ONSET]!.forecast!;
    const ambiguous = out[ONSET + 1]!.forecast!;
    expect(ambiguous.upper - ambiguous.lower).toBeGreaterThan(2 * (before.upper - before.lower));
    expect(Math.abs(out[ONSET + 2]!.forecast!.mean - before.mean)).toBeLessThan(SIGMA);
  });

  it('reports a sustained new slope of 3σ per reading as a slope within five readings on at least 90% of seeds', () => {
    const delays = SEEDS.map((seed) =>
      delay(
        run(seed, ONSET + 30, (t) => (t >= ONSET ? 3 * SIGMA * (t - ONSET + 1) : 0)),
        'slope',
        5,
      ),
    );
    expect(delays.filter((d) => d < 0).length).toBeLessThanOrEqual(2);
  });

  it('learns a new slope: a few readings later the forecast follows the ramp', () => {
    const out = run(5, ONSET + 40, (t) => (t >= ONSET ? 2 * SIGMA * (t - ONSET + 1) : 0));
    const t = ONSET + 39;
    expect(Math.abs(out[t]!.forecast!.mean - (100 + 2 * SIGMA * (t - ONSET + 1)))).toBeLessThan(2 * SIGMA);
  });

  it('keeps the score low on a stationary noisy series (false positives well under 1%)', () => {
    let n = 0;
    let flagged = 0;
    let high = 0;
    let sum = 0;
    for (const seed of SEEDS.slice(0, 10)) {
      for (const o of run(seed + 100, 2000, () => 0)) {
        if (o.forecast === null) continue;
        n++;
        if (o.kind !== 'none') flagged++;
        if (o.score > 0.5) high++;
        sum += o.score;
      }
    }
    expect(flagged / n).toBeLessThan(0.01);
    expect(high / n).toBeLessThan(0.01);
    expect(sum / n).toBeLessThan(0.08);
  });

  it('gives a forecast band that covers about 95% of a stationary series', () => {
    let n = 0;
    let inside = 0;
    for (const seed of SEEDS.slice(0, 10)) {
      const rnd = seededRandom(seed + 200);
      const d = new HarrisonStevensDetector();
      for (let t = 0; t < 2000; t++) {
        const y = 100 + SIGMA * rnd.normal();
        const f = d.update(y, t).forecast;
        if (!f) continue;
        n++;
        if (y >= f.lower && y <= f.upper) inside++;
      }
    }
    expect(inside / n).toBeGreaterThan(0.93);
    expect(inside / n).toBeLessThan(0.97);
  });
});

describe('HarrisonStevensDetector warm-up and scale', () => {
  it('returns no forecast, score 0 and kind none for the first `warmup` readings, then forecasts', () => {
    for (const warmup of [3, 20, 50]) {
      const d = new HarrisonStevensDetector({ warmup });
      const rnd = seededRandom(warmup);
      const out = Array.from({ length: warmup + 1 }, (_, t) => d.update(10 + rnd.normal(), t));
      for (const o of out.slice(0, warmup)) {
        expect(o).toEqual({
          score: 0,
          kind: 'none',
          probability: HARRISON_STEVENS_DEFAULTS.states.steady.prior,
          forecast: null,
          alert: false,
          learning: true,
        });
      }
      expect(d.warmedUp).toBe(true);
      expect(out[warmup]!.forecast).not.toBeNull();
    }
  });

  it('starts from the least-squares fit of the warm-up: level, slope and noise', () => {
    const rnd = seededRandom(8);
    const d = new HarrisonStevensDetector({ warmup: 30 });
    for (let t = 0; t < 30; t++) d.update(5 + 2 * t + 0.5 * rnd.normal(), t);
    const f = d.update(5 + 2 * 30, 30).forecast!;
    expect(Math.abs(f.mean - 65)).toBeLessThan(0.6);
    const halfWidth = (f.upper - f.lower) / 2;
    expect(halfWidth).toBeGreaterThan(0.5);
    expect(halfWidth).toBeLessThan(2);
  });

  it('needs no units: scaling the series by a power of two scales the forecast and leaves everything else bit-identical', () => {
    const rnd = seededRandom(11);
    const ys = Array.from(
      { length: 1500 },
      (_, t) => 40 + 2 * rnd.normal() + (t > 700 ? 15 : 0) + (t === 300 ? 20 : 0),
    );
    const base = new HarrisonStevensDetector();
    const a = ys.map((y, t) => base.update(y, t));
    for (const factor of [2 ** 40, 2 ** -40]) {
      const scaled = new HarrisonStevensDetector();
      const b = ys.map((y, t) => scaled.update(y * factor, t));
      const unscaled = b.map((o) => ({
        ...o,
        forecast: o.forecast && {
          mean: o.forecast.mean / factor,
          lower: o.forecast.lower / factor,
          upper: o.forecast.upper / factor,
        },
      }));
      expect(firstDifference(unscaled, a)).toBe(-1);
    }
  });

  it('treats a constant series as perfectly steady, and any later move as a change', () => {
    const d = new HarrisonStevensDetector();
    for (let t = 0; t < 100; t++) {
      const o = d.update(7, t);
      if (t >= 20) {
        expect(o.kind).toBe('none');
        expect(o.forecast!.mean).toBeCloseTo(7, 12);
        expect(o.forecast!.upper - o.forecast!.lower).toBeLessThan(1e-6);
      }
    }
    const moved = d.update(7.001, 100);
    expect(moved.score).toBeGreaterThan(0.99);
    expect(moved.kind).not.toBe('none');
  });
});

describe('HarrisonStevensDetector input handling', () => {
  it('rejects and counts non-finite values and timestamps that go backwards, leaving the state alone', () => {
    const d = new HarrisonStevensDetector();
    d.update(1, 10);
    d.update(Number.NaN, 11);
    d.update(2, Number.POSITIVE_INFINITY);
    d.update(3, 9);
    expect(d.rejected).toBe(3);
    expect(d.update(4, 10).score).toBe(0); // equal timestamps are accepted
    expect(d.rejected).toBe(3);
  });

  it('rejects bad options with a message that names the option', () => {
    expect(() => new HarrisonStevensDetector({ warmup: 2 })).toThrow(/warmup/);
    expect(() => new HarrisonStevensDetector({ varianceDiscount: 0 })).toThrow(/varianceDiscount/);
    expect(() => new HarrisonStevensDetector({ states: { step: { prior: 0 } } })).toThrow(/states\.step\.prior/);
    expect(() => new HarrisonStevensDetector({ states: { transient: { observation: -1 } } })).toThrow(
      /states\.transient\.observation/,
    );
  });

  it('normalises the priors it is given', () => {
    const o = resolveHarrisonStevensOptions({
      states: { steady: { prior: 9 }, step: { prior: 0.5 }, slope: { prior: 0.25 }, transient: { prior: 0.25 } },
    });
    expect(o.prior).toEqual([0.9, 0.05, 0.025, 0.025]);
  });

  it('reports the filtered state probabilities, the priors before warm-up', () => {
    const d = new HarrisonStevensDetector();
    expect(d.stateProbabilities().steady).toBe(HARRISON_STEVENS_DEFAULTS.states.steady.prior);
    for (let t = 0; t < 50; t++) d.update(t % 2, t);
    const p = d.stateProbabilities();
    expect(p.steady + p.step + p.slope + p.transient).toBeCloseTo(1, 12);
  });

  it('shares one frozen model per distinct options, telling negative zero from zero, and copies the options it is given', () => {
    expect(harrisonStevensModel({ warmup: 9 })).toBe(harrisonStevensModel({ warmup: 9 }));
    expect(harrisonStevensModel({ states: { step: { level: -0 } } })).not.toBe(
      harrisonStevensModel({ states: { step: { level: 0 } } }),
    );
    expect(Object.isFrozen(harrisonStevensModel().opts.slope)).toBe(true);
    const given = resolveHarrisonStevensOptions({ warmup: 11 });
    const d = new HarrisonStevensDetector(given);
    given.prior[0] = 0.5;
    given.warmup = 4;
    expect(d.resolvedOptions()).toEqual(resolveHarrisonStevensOptions({ warmup: 11 }));
    d.resolvedOptions().level[1] = 1;
    expect(new HarrisonStevensDetector({ warmup: 11 }).snapshot().options.level[1]).toBe(
      HARRISON_STEVENS_DEFAULTS.states.step.level,
    );
  });
});

describe('tQuantile975', () => {
  it('approximates the Student-t 97.5% quantile', () => {
    expect(tQuantile975(10)).toBeCloseTo(2.228, 2);
    expect(tQuantile975(30)).toBeCloseTo(2.042, 3);
    expect(tQuantile975(1e12)).toBeCloseTo(1.959964, 6);
  });
});
