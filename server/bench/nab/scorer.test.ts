import { describe, expect, it } from '@jest/globals';
import {
  falsePositiveTerm,
  NAB_PROFILES,
  nabSigmoid,
  normalisedScore,
  optimiseThreshold,
  rawScoreAt,
  windowTpTerm,
  type NabScoredFile,
} from './scorer.js';
import { seededRandom } from '../synthetic/seeded-random.js';

const STD = NAB_PROFILES.standard;
const W = { start: 400, end: 499 };

/** A 1000-row file (probation 150) with the README's window 400…499 and detections (score 1) on `rows`. */
function file(rows: number[], windows = [W], n = 1000): NabScoredFile {
  const scores = new Float64Array(n);
  for (const r of rows) scores[r] = 1;
  return { name: 'f', scores, windows };
}

describe('nabSigmoid', () => {
  it('is 0 at 0, about ±0.98661 at ∓1, and exactly −1 beyond 3', () => {
    expect(nabSigmoid(0)).toBe(0);
    expect(nabSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(nabSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(nabSigmoid(3)).toBeCloseTo(-1, 5);
    expect(nabSigmoid(3.0001)).toBe(-1);
  });
});

describe('window and false-positive terms (README worked example, standard profile)', () => {
  it("scores a detection on the window's first row 1.0, in its middle 0.8598 and on its last row about 0.025", () => {
    expect(windowTpTerm(400, W, 1)).toBe(1);
    expect(windowTpTerm(450, W, 1)).toBeCloseTo(0.8598, 4);
    expect(windowTpTerm(499, W, 1)).toBeCloseTo(0.0253, 4);
    expect(rawScoreAt([file([400])], 0.5, STD).raw).toBe(1);
    expect(rawScoreAt([file([499])], 0.5, STD).raw).toBeCloseTo(0.0253, 4);
  });

  it('counts only the earliest detection in a window', () => {
    expect(rawScoreAt([file([450, 400, 499])], 0.5, STD)).toMatchObject({
      raw: 1,
      truePositives: 1,
      falsePositives: 0,
    });
  });

  it('charges almost nothing for a false positive right after a window, nearly fpW one window later, exactly fpW far away or before any window', () => {
    expect(falsePositiveTerm(500, [W], 0.11)).toBeCloseTo(-0.0028, 4);
    expect(falsePositiveTerm(550, [W], 0.11)).toBeCloseTo(-0.094, 3);
    expect(falsePositiveTerm(700, [W], 0.11)).toBeCloseTo(-0.10999, 5);
    expect(falsePositiveTerm(900, [W], 0.11)).toBe(-0.11);
    expect(falsePositiveTerm(300, [W], 0.11)).toBe(-0.11);
    const r = rawScoreAt([file([400, 500])], 0.5, STD);
    expect(r.falsePositives).toBe(1);
    expect(r.raw).toBeCloseTo(1 - 0.0028, 4);
  });

  it('measures a false positive from the most recent window that ended before it', () => {
    const windows = [W, { start: 600, end: 609 }];
    expect(falsePositiveTerm(610, windows, 0.11)).toBeCloseTo(0.11 * nabSigmoid(1 / 9), 12);
    expect(falsePositiveTerm(550, windows, 0.11)).toBeCloseTo(0.11 * nabSigmoid(51 / 99), 12);
  });

  it('ignores every row of the probationary period, detection or not', () => {
    // 1000 rows → probation min(150, 750) = 150 rows.
    expect(rawScoreAt([file([0, 149])], 0.5, STD)).toMatchObject({ raw: -1, falsePositives: 0, falseNegatives: 1 });
    expect(rawScoreAt([file([150])], 0.5, STD)).toMatchObject({ falsePositives: 1 });
  });

  it('charges −fnW for a missed window in each profile', () => {
    expect(rawScoreAt([file([])], 0.5, NAB_PROFILES.reward_low_FN_rate).raw).toBe(-2);
    expect(rawScoreAt([file([300])], 0.5, NAB_PROFILES.reward_low_FP_rate).raw).toBeCloseTo(-1.22, 12);
  });
});

describe('normalisation and the threshold sweep', () => {
  it('scores the null detector 0 and the perfect detector 100 in every profile', () => {
    const files = [file([], [W, { start: 700, end: 799 }]), file([], [{ start: 200, end: 260 }])];
    const perfect = files.map((f) => {
      const scores = new Float64Array(f.scores.length);
      for (const w of f.windows) scores[w.start] = 1;
      return { ...f, scores };
    });
    for (const p of Object.values(NAB_PROFILES)) {
      expect(optimiseThreshold(files, p)).toMatchObject({
        score: 0,
        threshold: Number.POSITIVE_INFINITY,
        falseNegatives: 3,
      });
      expect(optimiseThreshold(perfect, p)).toMatchObject({ score: 100, truePositives: 3, falsePositives: 0 });
      expect(normalisedScore(-p.fnW * 3, 3, p)).toBe(0);
      expect(normalisedScore(p.tpW * 3, 3, p)).toBe(100);
    }
  });

  it('picks the threshold with the best corpus raw score, the same as trying every candidate one by one', () => {
    const rnd = seededRandom(7);
    const files: NabScoredFile[] = [0, 1, 2].map((k) => {
      const n = 800 + 300 * k;
      const windows =
        k === 2
          ? []
          : [
              { start: 300 + 50 * k, end: 379 + 50 * k },
              { start: 600, end: 650 },
            ];
      const scores = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const inside = windows.some((w) => r >= w.start && r <= w.end);
        scores[r] = Math.round(100 * Math.min(1, rnd.uniform() * (inside ? 1.2 : 1))) / 100; // many ties
      }
      return { name: `f${k}`, scores, windows };
    });
    for (const p of Object.values(NAB_PROFILES)) {
      const got = optimiseThreshold(files, p);
      const candidates = new Set<number>([Number.POSITIVE_INFINITY]);
      for (const f of files) for (let r = 120; r < f.scores.length; r++) candidates.add(f.scores[r]!);
      let best = -Infinity;
      for (const t of candidates) best = Math.max(best, rawScoreAt(files, t, p).raw);
      expect(got.raw).toBeCloseTo(best, 9);
      expect(rawScoreAt(files, got.threshold, p).raw).toBeCloseTo(best, 9);
    }
  });

  it('prefers a high threshold that skips a noise spike over one that also fires on it', () => {
    const f = file([]);
    (f.scores as Float64Array)[420] = 0.9; // in the window
    (f.scores as Float64Array)[200] = 0.5; // a false alarm
    const r = optimiseThreshold([f], STD);
    expect(r.threshold).toBe(0.9);
    expect(r.falsePositives).toBe(0);
    expect(r.raw).toBeCloseTo(windowTpTerm(420, W, 1), 12);
  });
});
