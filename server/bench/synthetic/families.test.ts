import { describe, expect, it } from '@jest/globals';
import {
  FAMILIES,
  FAMILY_NAMES,
  SYNTHETIC,
  SYNTHETIC_EPOCH_MS,
  dailyCycle,
  eventEffect,
  generateFamily,
} from './families.js';

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, x) => a + x, 0) / xs.length;
const sd = (xs: ArrayLike<number>) => {
  const m = mean(xs);
  return Math.sqrt(Array.from(xs).reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};
const minus = (a: Float64Array, b: Float64Array) => a.map((x, i) => x - b[i]!);
const sameBits = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

describe('generateFamily', () => {
  it('returns the same series for the same seed and a different one for another seed, for every family', () => {
    for (const name of FAMILY_NAMES) {
      const a = generateFamily(name, 7);
      const b = generateFamily(name, 7);
      expect(sameBits(b.values, a.values)).toBe(true);
      expect(b.events).toEqual(a.events);
      expect(sameBits(generateFamily(name, 8).values, a.values)).toBe(false);
    }
  });

  it('makes 10,000-reading null series and 3,000-reading event series, a minute apart (the daily cycle 5 minutes, half-hourly and hourly in its other null families, and the hourly white and t3 families) from the fixed epoch', () => {
    for (const f of FAMILIES) {
      const s = generateFamily(f.name, 1);
      expect(s.values).toHaveLength(f.group === 'null' ? SYNTHETIC.nullLength : SYNTHETIC.eventLength);
      expect(s.times).toHaveLength(s.values.length);
      expect(s.times[0]).toBe(SYNTHETIC_EPOCH_MS);
      const step =
        {
          daily: 300_000,
          'daily-30m': 1_800_000,
          'daily-hourly': 3_600_000,
          'daily-days': 1_800_000,
          'white-hourly': 3_600_000,
          't3-hourly': 3_600_000,
        }[f.base as string] ?? 60_000;
      expect(s.times[1]! - s.times[0]!).toBe(step);
      expect(s.events).toHaveLength(f.group === 'null' ? 0 : 1);
      expect(s.values.every(Number.isFinite)).toBe(true);
    }
  });

  it('throws a RangeError naming the families for an unknown name', () => {
    expect(() => generateFamily('nope', 1)).toThrow(/unknown synthetic family "nope".*null-white/);
  });
});

describe('null families have the stated statistics', () => {
  it('white noise: mean 0, sd 1', () => {
    const s = generateFamily('null-white', 1);
    expect(Math.abs(mean(s.values))).toBeLessThan(0.05);
    expect(sd(s.values)).toBeCloseTo(1, 1);
    expect(s.sigma).toBe(1);
  });

  it('Student-t with 3 d.o.f.: unit sd, and the median |x| of t₃/√3 (0.4416)', () => {
    const s = generateFamily('null-t3', 1);
    const abs = Array.from(s.values, Math.abs).sort((a, b) => a - b);
    expect(abs[abs.length / 2]!).toBeGreaterThan(0.41);
    expect(abs[abs.length / 2]!).toBeLessThan(0.47);
    expect(Math.abs(sd(s.values) - 1)).toBeLessThan(0.2); // infinite fourth moment: the sample sd is noisy
    expect(abs[abs.length - 1]!).toBeGreaterThan(5); // heavy tails: a normal almost never passes 5
  });

  it("Student-t with 6 d.o.f.: unit sd, the median |x| of t₆/√1.5, a kurtosis above a normal's", () => {
    const s = generateFamily('null-t6', 1);
    const m = mean(s.values);
    const v = sd(s.values) ** 2;
    const kurt = s.values.reduce((a, x) => a + (x - m) ** 4, 0) / s.values.length / (v * v);
    expect(Math.abs(Math.sqrt(v) - 1)).toBeLessThan(0.05);
    expect(kurt).toBeGreaterThan(4.5); // Gaussian: 3 (t6's sample kurtosis is noisy upwards: its 8th moment is infinite)
    const abs = Array.from(s.values, Math.abs).sort((a, b) => a - b);
    expect(abs[abs.length / 2]!).toBeGreaterThan(0.56); // median |t₆|/√1.5 = 0.718/1.2247 = 0.586
    expect(abs[abs.length / 2]!).toBeLessThan(0.61);
    expect(s.sigma).toBe(1);
  });

  it('sparse counts: Poisson with mean 1 (non-negative integers, mean 1, variance 1, mostly 0 and 1)', () => {
    const s = generateFamily('null-poisson1', 1);
    expect(s.values.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    expect(mean(s.values)).toBeCloseTo(1, 1);
    expect(Math.abs(sd(s.values) ** 2 - 1)).toBeLessThan(0.1);
    expect(s.values.filter((x) => x <= 1).length / s.values.length).toBeCloseTo(2 / Math.E, 1); // P(0) + P(1) = 2/e
  });

  it('the hourly white and t3 families: the same noise as null-white and null-t3, one reading an hour', () => {
    const w = generateFamily('null-white-hourly', 1);
    expect(sd(w.values)).toBeCloseTo(1, 1);
    const t = generateFamily('null-t3-hourly', 1);
    const abs = Array.from(t.values, Math.abs).sort((a, b) => a - b);
    expect(abs[abs.length / 2]!).toBeGreaterThan(0.41);
    expect(abs[abs.length / 2]!).toBeLessThan(0.47);
    for (const s of [w, t]) expect(s.times[1]! - s.times[0]!).toBe(3_600_000);
  });

  it('AR(1) with φ = 0.9: lag-1 autocorrelation 0.9 and marginal sd 1/√(1−φ²) ≈ 2.29, which is its σ', () => {
    const s = generateFamily('null-ar1', 1);
    const m = mean(s.values);
    let num = 0;
    let den = 0;
    for (let i = 0; i < s.values.length; i++) {
      den += (s.values[i]! - m) ** 2;
      if (i > 0) num += (s.values[i]! - m) * (s.values[i - 1]! - m);
    }
    expect(num / den).toBeCloseTo(0.9, 1);
    expect(s.sigma).toBeCloseTo(2.294, 3);
    expect(Math.abs(sd(s.values) / s.sigma - 1)).toBeLessThan(0.1);
  });

  it('Poisson counts: non-negative integers with mean 4 and variance 4', () => {
    const s = generateFamily('null-poisson4', 1);
    expect(s.values.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    expect(mean(s.values)).toBeCloseTo(4, 1);
    expect(Math.abs(sd(s.values) ** 2 - 4)).toBeLessThan(0.3);
    expect(s.sigma).toBe(2);
  });

  it('daily cycle: a 5σ sine over the UTC day, 3σ lower at weekends, plus unit noise', () => {
    expect(dailyCycle(Date.UTC(2024, 0, 1, 6))).toBeCloseTo(5, 12); // Monday 06:00
    expect(dailyCycle(Date.UTC(2024, 0, 6, 18))).toBeCloseTo(-8, 12); // Saturday 18:00
    const s = generateFamily('null-daily', 1);
    const noise = s.values.map((y, i) => y - dailyCycle(s.times[i]!));
    expect(Math.abs(mean(noise))).toBeLessThan(0.05);
    expect(sd(noise)).toBeCloseTo(1, 1);
    const weekend = (i: number) => [0, 6].includes(new Date(s.times[i]!).getUTCDay());
    const idx = Array.from(s.values.keys());
    const drop =
      mean(idx.filter((i) => !weekend(i)).map((i) => s.values[i]!)) -
      mean(idx.filter(weekend).map((i) => s.values[i]!));
    expect(Math.abs(drop - 3)).toBeLessThan(0.3);
  });

  it('steady trend: +0.01σ per reading plus unit noise', () => {
    const s = generateFamily('null-trend', 1);
    const noise = s.values.map((y, i) => y - 0.01 * i);
    expect(Math.abs(mean(noise))).toBeLessThan(0.05);
    expect(sd(noise)).toBeCloseTo(1, 1);
  });

  it('a level near 1e12 with unit noise', () => {
    const s = generateFamily('null-1e12', 1);
    const noise = s.values.map((y) => y - 1e12);
    expect(Math.abs(mean(noise))).toBeLessThan(0.05);
    expect(sd(noise)).toBeCloseTo(1, 1);
  });
});

describe('event families', () => {
  it('place one event per series after the 1,000-row learning stretch, with a random start and sign shared by every event family of a seed', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const evs = FAMILIES.filter((f) => f.group === 'event').map((f) => generateFamily(f.name, seed).events[0]!);
      expect(new Set(evs.map((e) => e.start)).size).toBe(1);
      expect(new Set(evs.map((e) => e.sign)).size).toBe(1);
    }
    const starts = new Set<number>();
    const signs = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const ev = generateFamily('transient-white-3', seed).events[0]!;
      expect(ev.start).toBeGreaterThanOrEqual(1000);
      expect(ev.start).toBeLessThan(2000);
      starts.add(ev.start);
      signs.add(ev.sign);
    }
    expect(starts.size).toBeGreaterThan(30);
    expect(signs).toEqual(new Set([1, -1]));
  });

  it('a step shifts the level by its size in σ at the event row and keeps it there (sizes share the base noise)', () => {
    for (const base of ['white', 'ar1', 'daily']) {
      const s3 = generateFamily(`step-${base}-3`, 5);
      const s10 = generateFamily(`step-${base}-10`, 5);
      const ev = s10.events[0]!;
      expect(ev).toMatchObject({ kind: 'step', end: 2999, sizeSigma: 10 });
      const d = minus(s10.values, s3.values); // the base cancels: only the 7σ difference remains
      for (let i = 0; i < d.length; i++) expect(d[i]).toBeCloseTo(i < ev.start ? 0 : ev.sign * 7 * s10.sigma, 6);
    }
  });

  it('a 20σ step on white noise is the one big jump in the series, at the stated row', () => {
    const s = generateFamily('step-white-20', 2);
    const ev = s.events[0]!;
    let at = 0;
    for (let i = 1; i < s.values.length; i++)
      if (Math.abs(s.values[i]! - s.values[i - 1]!) > Math.abs(s.values[at]! - s.values[at - 1]!) || at === 0) at = i;
    expect(at).toBe(ev.start);
    const before = mean(s.values.subarray(ev.start - 500, ev.start));
    const after = mean(s.values.subarray(ev.start, ev.start + 500));
    expect(Math.abs(after - before - ev.sign * 20)).toBeLessThan(0.3);
  });

  it('a slope of size s moves s·σ/10 per reading from the event row on, reaching s σ after 10 readings', () => {
    expect(Array.from(eventEffect({ kind: 'slope', start: 2, end: 5, sizeSigma: 10, sign: -1 }, 1, 6))).toEqual([
      0, 0, -1, -2, -3, -4,
    ]);
    const s5 = generateFamily('slope-white-5', 3);
    const s20 = generateFamily('slope-white-20', 3);
    const ev = s20.events[0]!;
    expect(ev).toMatchObject({ kind: 'slope', end: 2999 });
    const d = minus(s20.values, s5.values);
    expect(d[ev.start - 1]).toBe(0);
    expect(d[ev.start]).toBeCloseTo(ev.sign * 1.5, 9); // (20 − 5)/10 per reading
    expect(d[ev.start + 9]).toBeCloseTo(ev.sign * 15, 9);
    expect(d[2999]).toBeCloseTo(ev.sign * 1.5 * (3000 - ev.start), 6);
  });

  it("a shift is a step of 3, 4 or 5σ that lasts 90 readings and then ends, detected within 60 readings (its base noise its own, its start and sign the seed's)", () => {
    for (const base of ['white', 'ar1', 'daily']) {
      const s3 = generateFamily(`shift-${base}-3`, 6);
      const s5 = generateFamily(`shift-${base}-5`, 6);
      const ev = s5.events[0]!;
      expect(ev).toMatchObject({ kind: 'step', end: ev.start + 89, sizeSigma: 5, detectWithin: 60 });
      expect(ev.start).toBe(generateFamily(`step-${base}-5`, 6).events[0]!.start);
      const d = minus(s5.values, s3.values);
      for (let i = 0; i < d.length; i++)
        expect(d[i]).toBeCloseTo(i >= ev.start && i <= ev.end ? ev.sign * 2 * s5.sigma : 0, 6);
      expect(
        sameBits(generateFamily(`step-${base}-5`, 6).values.subarray(0, ev.start), s5.values.subarray(0, ev.start)),
      ).toBe(false);
    }
    expect(FAMILY_NAMES.filter((n) => n.startsWith('shift-'))).toHaveLength(9);
  });

  it('a transient displaces the event row alone', () => {
    const t3 = generateFamily('transient-white-3', 4);
    const t20 = generateFamily('transient-white-20', 4);
    const ev = t20.events[0]!;
    expect(ev).toMatchObject({ kind: 'transient', end: ev.start, sizeSigma: 20 });
    const d = minus(t20.values, t3.values);
    const nonzero = Array.from(d.keys()).filter((i) => d[i] !== 0);
    expect(nonzero).toEqual([ev.start]);
    expect(d[ev.start]).toBeCloseTo(ev.sign * 17, 9);
  });
});
