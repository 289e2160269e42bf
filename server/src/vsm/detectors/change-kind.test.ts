import { describe, expect, it } from '@jest/globals';
import { classifyChange, withKindPrior } from './change-kind.js';
import { seededRandom } from '../../../bench/synthetic/seeded-random.js';

/** A 16-reading window of unit noise with the alert's reading at 12 and three readings after it. */
function window(seed: number, effect: (t: number) => number): number[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: 16 }, (_, t) => rnd.normal() + effect(t));
}

describe('classifyChange', () => {
  it('tells the three kinds apart on the doc comment examples', () => {
    expect(classifyChange([0, 0.3, -0.2, 0.1, 9, 9.2, 8.7, 9.1], 4).kind).toBe('step');
    expect(classifyChange([0.1, -0.3, 0.2, 0, 9, 0.4, -0.1, 0.2], 4).kind).toBe('transient');
    expect(classifyChange([0, 1, 2, 3, 4, 5, 6, 7], 4).kind).toBe('slope');
  });

  it('is right on at least 90 % of noisy steps, transients and slopes (issue 14: 90 % within 3 readings)', () => {
    const cases: Array<['step' | 'transient' | 'slope', (t: number) => number]> = [
      ['step', (t) => (t >= 12 ? 5 : 0)],
      ['transient', (t) => (t === 12 ? 6 : 0)],
      ['slope', (t) => (t >= 6 ? 0.8 * (t - 6) : 0)],
    ];
    for (const [kind, effect] of cases) {
      let right = 0;
      for (let seed = 1; seed <= 200; seed++) if (classifyChange(window(seed, effect), 12).kind === kind) right++;
      expect({ kind, share: right / 200 >= 0.9 }).toEqual({ kind, share: true });
    }
  });

  it('tells the kinds apart on AR(1) noise (phi 0.9) when told its correlation: at least 95 % each, where a white-noise fit is not', () => {
    /** 16 readings of AR(1) noise with unit marginal sd, plus the effect. */
    const arWindow = (seed: number, effect: (t: number) => number): number[] => {
      const rnd = seededRandom(seed);
      let x = rnd.normal();
      return Array.from({ length: 16 }, (_, t) => {
        const v = x + effect(t);
        x = 0.9 * x + Math.sqrt(1 - 0.81) * rnd.normal();
        return v;
      });
    };
    const cases: Array<['step' | 'transient' | 'slope', (t: number) => number]> = [
      ['step', (t) => (t >= 12 ? 4 : 0)],
      ['transient', (t) => (t === 12 ? 5 : 0)],
      ['slope', (t) => (t >= 6 ? 0.6 * (t - 6) : 0)],
    ];
    const share = (kind: string, effect: (t: number) => number, rho: number) => {
      let right = 0;
      for (let seed = 1; seed <= 200; seed++)
        if (classifyChange(arWindow(seed, effect), 12, 4, rho).kind === kind) right++;
      return right / 200;
    };
    for (const [kind, effect] of cases)
      expect({ kind, atLeast95: share(kind, effect, 0.9) >= 0.95 }).toEqual({ kind, atLeast95: true });
    // the white-noise fit on the same windows: a step 88 %, a transient 85.5 %
    expect(share('step', cases[0]![1], 0)).toBeLessThan(0.9);
    expect(share('transient', cases[1]![1], 0)).toBeLessThan(0.9);
  });

  it('is the white-noise fit when rho is 0', () => {
    const r = window(9, (t) => (t >= 11 ? 3 : 0));
    expect(classifyChange(r, 12, 4, 0)).toEqual(classifyChange(r, 12, 4));
  });

  it("measures the slope model's growth rate per reading", () => {
    expect(classifyChange([0, 0, 0, 0, 0, 1.5, 3, 4.5, 6, 7.5], 7).rate).toBeCloseTo(1.5, 6);
    expect(
      classifyChange(
        window(5, (t) => (t >= 4 ? 0.8 * (t - 4) : 0)),
        12,
      ).rate,
    ).toBeGreaterThan(0.6);
  });

  it("takes a prior: an ambiguous window leans to the prior's kind, a clear one keeps its own", () => {
    const ambiguous = {
      kind: 'step' as const,
      probability: 0.6,
      posterior: [0.6, 0.4, 0] as [number, number, number],
      rate: 0.3,
    };
    expect(withKindPrior(ambiguous, [0.15, 0.8, 0.05])).toMatchObject({ kind: 'slope', rate: 0.3 });
    const clear = classifyChange([0, 0.3, -0.2, 0.1, 9, 9.2, 8.7, 9.1], 4);
    const leaned = withKindPrior(clear, [0.15, 0.8, 0.05]);
    expect(leaned.kind).toBe('step');
    expect(leaned.posterior.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('gives a posterior over the three kinds that sums to one, with the chosen kind the largest', () => {
    const c = classifyChange(
      window(3, (t) => (t >= 12 ? 4 : 0)),
      12,
    );
    expect(c.posterior.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(c.probability).toBe(Math.max(...c.posterior));
  });
});
