/**
 * The contract every StreamingDetector implementation passes. An implementation's test file calls
 * `describeDetectorContract('name', () => new MyDetector(), restoreDetector)`.
 */
import { describe, expect, it } from '@jest/globals';
import type { DetectorOutput, DetectorState, StreamingDetector } from '../../src/vsm/detectors/detector.js';
import { seededRandom } from '../../bench/synthetic/seeded-random.js';

const KINDS = new Set(['none', 'change', 'step', 'slope', 'transient', 'flatline']);

/** A long series with noise, steps, outliers, slope changes and a quiet stretch. Deterministic per seed. */
export function mixedSeries(n: number, seed: number): number[] {
  const rnd = seededRandom(seed);
  const ys: number[] = [];
  let level = 50;
  let slope = 0;
  for (let t = 0; t < n; t++) {
    if (t % 300 === 150) level += (rnd.uniform() - 0.5) * 40;
    if (t % 700 === 400) slope = (rnd.uniform() - 0.5) * 0.5;
    if (t % 700 === 600) slope = 0;
    level += slope;
    const quiet = t % 1000 >= 900; // a stretch where the value does not move at all
    ys.push(quiet ? Math.round(level) : level + 2 * rnd.normal() + (rnd.uniform() < 0.01 ? 25 : 0));
  }
  return ys;
}

/** What is wrong with an output (score or probability outside [0,1], unknown kind, bad band), or null. */
export function outputProblem(o: DetectorOutput): string | null {
  if (!(o.score >= 0 && o.score <= 1)) return `score ${o.score} outside [0,1]`;
  if (!(o.probability >= 0 && o.probability <= 1)) return `probability ${o.probability} outside [0,1]`;
  if (!KINDS.has(o.kind)) return `unknown kind ${String(o.kind)}`;
  const f = o.forecast;
  if (
    f !== null &&
    !(
      Number.isFinite(f.mean) &&
      Number.isFinite(f.lower) &&
      Number.isFinite(f.upper) &&
      f.lower <= f.mean &&
      f.mean <= f.upper
    )
  ) {
    return `bad forecast ${JSON.stringify(f)}`;
  }
  return null;
}

/** Feeds `ys` (timestamps = index + t0) and returns the problems found, as "t: problem" strings. */
export function problemsOver(d: StreamingDetector, ys: readonly number[], t0 = 0): string[] {
  const problems: string[] = [];
  ys.forEach((y, i) => {
    const p = outputProblem(d.update(y, t0 + i));
    if (p) problems.push(`${t0 + i}: ${p}`);
  });
  return problems;
}

function sameOutput(a: DetectorOutput, b: DetectorOutput): boolean {
  if (!Object.is(a.score, b.score) || a.kind !== b.kind || !Object.is(a.probability, b.probability)) return false;
  if (a.forecast === null || b.forecast === null) return a.forecast === b.forecast;
  return (
    Object.is(a.forecast.mean, b.forecast.mean) &&
    Object.is(a.forecast.lower, b.forecast.lower) &&
    Object.is(a.forecast.upper, b.forecast.upper)
  );
}

/** Index of the first output that differs (Object.is on every number), or -1. */
export function firstDifference(a: DetectorOutput[], b: DetectorOutput[]): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!sameOutput(a[i]!, b[i]!)) return i;
  return -1;
}

export function describeDetectorContract(
  name: string,
  create: () => StreamingDetector,
  restore: (state: DetectorState) => StreamingDetector,
): void {
  describe(`${name} (StreamingDetector contract)`, () => {
    it('always returns a score and probability in [0,1], a known kind and a finite ordered forecast band', () => {
      expect(problemsOver(create(), mixedSeries(5000, 1))).toEqual([]);
    });

    it('stays NaN-free on a constant series (zero variance), including when it finally moves', () => {
      for (const c of [0, 1, -3.5, 1e9]) {
        const ys = [...Array<number>(300).fill(c), c + 1, c - 1e6, ...Array<number>(100).fill(c)];
        expect({ c, problems: problemsOver(create(), ys) }).toEqual({ c, problems: [] });
      }
    });

    it('stays NaN-free at huge and tiny scales', () => {
      const ys = mixedSeries(1500, 2);
      for (const scale of [1e-200, 1e-12, 1e12, 1e150]) {
        expect({
          scale,
          problems: problemsOver(
            create(),
            ys.map((y) => y * scale),
          ),
        }).toEqual({ scale, problems: [] });
      }
    });

    it('makes its forecast before seeing the value: it does not depend on the value given', () => {
      const ys = mixedSeries(400, 3);
      const d = create();
      ys.forEach((y, t) => d.update(y, t));
      const a = restore(d.snapshot()).update(1e6, 400);
      const b = restore(d.snapshot()).update(-7, 400);
      expect(a.forecast).not.toBeNull();
      expect(a.forecast).toEqual(b.forecast);
    });

    it('gives bit-identical outputs after snapshot and restore (through JSON) at random split points', () => {
      const ys = mixedSeries(4000, 4);
      const whole = create();
      const expected = ys.map((y, t) => whole.update(y, t));
      const rnd = seededRandom(99);
      const splits = [0, 5, 19, 20, 21, ...Array.from({ length: 5 }, () => Math.floor(rnd.uniform() * ys.length))];
      for (const split of splits) {
        const first = create();
        const got = ys.slice(0, split).map((y, t) => first.update(y, t));
        const json = JSON.stringify(first.snapshot());
        const second = restore(JSON.parse(json) as DetectorState);
        for (let t = split; t < ys.length; t++) got.push(second.update(ys[t]!, t));
        expect({ split, firstDifference: firstDifference(got, expected) }).toEqual({ split, firstDifference: -1 });
      }
    });

    it('produces a snapshot that survives JSON unchanged and is not affected by later updates', () => {
      const d = create();
      mixedSeries(500, 5).forEach((y, t) => d.update(y, t));
      const snap = d.snapshot();
      const copy = JSON.parse(JSON.stringify(snap)) as DetectorState;
      expect(copy).toEqual(snap);
      d.update(1234, 500);
      expect(JSON.parse(JSON.stringify(snap))).toEqual(copy);
    });

    it('ignores a non-finite value: later outputs match a detector that never saw it', () => {
      const ys = mixedSeries(600, 6);
      const clean = create();
      const dirty = create();
      const a = ys.map((y, t) => clean.update(y, t));
      const b: DetectorOutput[] = [];
      ys.forEach((y, t) => {
        if (t === 10 || t === 300) {
          for (const bad of [Number.NaN, Infinity, -Infinity]) {
            const o = dirty.update(bad, t);
            expect(outputProblem(o)).toBeNull();
            expect(o.score).toBe(0);
          }
        }
        b.push(dirty.update(y, t));
      });
      expect(firstDifference(a, b)).toBe(-1);
    });
  });
}
