/**
 * The Numenta Anomaly Benchmark's scoring rules (NAB v1.1, numenta/NAB on GitHub: its
 * scoring documentation and `nab/scorer.py`):
 * probationary period, the scaled sigmoid, window true-positive terms, false-positive terms
 * relative to the last window that ended, misses, the three profiles, the one-threshold-per-profile
 * sweep over the whole corpus and the normalisation to 0..100 between the null and perfect detectors.
 *
 * With a window of rows s … e (L = e − s + 1) and the earliest detection i in it:
 *   window term = tpW · f(−(e − i + 1)/L) / f(−1)      (no detection in it: −fnW)
 *   false positive at i outside every window = fpW · g,  g = −1 before the first ended window,
 *   else g = f((i − e′)/(L′ − 1)) for the most recent window (e′, L′) that ended before i,
 *   f(x) = 2/(1 + e^(5x)) − 1 for x ≤ 3, −1 beyond.
 *   normalised = 100 · (raw − null)/(perfect − null), null = −fnW·N, perfect = tpW·N.
 *
 * @example
 *   // One file of 1000 rows, window rows 400…499, a detection on row 400 only:
 *   const scores = new Float64Array(1000); scores[400] = 1;
 *   const file = { name: 'a', scores, windows: [{ start: 400, end: 499 }] };
 *   rawScoreAt([file], 0.5, NAB_PROFILES.standard).raw === 1     // a perfect detector
 *   normalisedScore(1, 1, NAB_PROFILES.standard) === 100
 */
import { probationaryRows, type RowWindow } from './windows.js';

export interface NabProfile {
  name: string;
  tpW: number;
  fpW: number;
  fnW: number;
}

export const NAB_PROFILES = Object.freeze({
  standard: Object.freeze({ name: 'standard', tpW: 1.0, fpW: 0.11, fnW: 1.0 }),
  reward_low_FP_rate: Object.freeze({ name: 'reward_low_FP_rate', tpW: 1.0, fpW: 0.22, fnW: 1.0 }),
  reward_low_FN_rate: Object.freeze({ name: 'reward_low_FN_rate', tpW: 1.0, fpW: 0.11, fnW: 2.0 }),
}) satisfies Record<string, NabProfile>;

/** One data file's detector output and labels. */
export interface NabScoredFile {
  name: string;
  /** One anomaly score per row, in file order. */
  scores: ArrayLike<number>;
  /** Label windows as rows, sorted, not overlapping. */
  windows: readonly RowWindow[];
  /** Rows never scored at the start; defaults to NAB's probationary period for the file's length. */
  probation?: number;
}

/**
 * NAB's scaled sigmoid.
 * @example nabSigmoid(0) === 0; nabSigmoid(-1) ≈ 0.98661; nabSigmoid(1) ≈ -0.98661; nabSigmoid(3.01) === -1
 */
export function nabSigmoid(x: number): number {
  if (x > 3) return -1;
  return 2 / (1 + Math.exp(5 * x)) - 1;
}

const F_MINUS_1 = nabSigmoid(-1);

/**
 * The term a window of rows start…end earns when its earliest detection is on `row`.
 * @example windowTpTerm(400, { start: 400, end: 499 }, 1) === 1; windowTpTerm(499, …) ≈ 0.0253
 */
export function windowTpTerm(row: number, w: RowWindow, tpW: number): number {
  const L = w.end - w.start + 1;
  return (tpW * nabSigmoid(-(w.end - row + 1) / L)) / F_MINUS_1;
}

/**
 * The term a false detection on `row` earns (≤ 0), given the file's sorted windows.
 * @example falsePositiveTerm(500, [{ start: 400, end: 499 }], 0.11) ≈ -0.0028
 */
export function falsePositiveTerm(row: number, windows: readonly RowWindow[], fpW: number): number {
  let last: RowWindow | undefined;
  for (const w of windows) if (w.end < row && (!last || w.end > last.end)) last = w;
  if (!last) return -fpW;
  const L = last.end - last.start + 1;
  const x = L > 1 ? (row - last.end) / (L - 1) : Number.POSITIVE_INFINITY;
  return fpW * nabSigmoid(x);
}

export interface NabRawResult {
  raw: number;
  /** Windows with at least one detection. */
  truePositives: number;
  /** Detections outside every window (probationary rows excluded). */
  falsePositives: number;
  /** Windows without a detection. */
  falseNegatives: number;
}

function probationOf(f: NabScoredFile): number {
  return f.probation ?? probationaryRows(f.scores.length);
}

/** Which window each row is in (-1: none). */
function windowIndexByRow(n: number, windows: readonly RowWindow[]): Int32Array {
  const idx = new Int32Array(n).fill(-1);
  windows.forEach((w, k) => {
    for (let r = Math.max(0, w.start); r <= Math.min(n - 1, w.end); r++) idx[r] = k;
  });
  return idx;
}

/** The corpus raw score at one threshold (a row is a detection when its score ≥ threshold). The plain reference the sweep is checked against. */
export function rawScoreAt(files: readonly NabScoredFile[], threshold: number, profile: NabProfile): NabRawResult {
  const res: NabRawResult = { raw: 0, truePositives: 0, falsePositives: 0, falseNegatives: 0 };
  for (const f of files) {
    const n = f.scores.length;
    const inWindow = windowIndexByRow(n, f.windows);
    const earliest = f.windows.map(() => -1);
    for (let r = probationOf(f); r < n; r++) {
      if (!(f.scores[r]! >= threshold)) continue;
      const k = inWindow[r]!;
      if (k >= 0) {
        if (earliest[k] === -1) earliest[k] = r;
      } else {
        res.raw += falsePositiveTerm(r, f.windows, profile.fpW);
        res.falsePositives++;
      }
    }
    f.windows.forEach((w, k) => {
      if (earliest[k] === -1) {
        res.raw -= profile.fnW;
        res.falseNegatives++;
      } else {
        res.raw += windowTpTerm(earliest[k]!, w, profile.tpW);
        res.truePositives++;
      }
    });
  }
  return res;
}

/**
 * `100 · (raw − null)/(perfect − null)` with null = −fnW·N and perfect = tpW·N.
 * @example normalisedScore(-55, 55, NAB_PROFILES.standard) === 0; normalisedScore(55, 55, …) === 100
 */
export function normalisedScore(raw: number, windowCount: number, profile: NabProfile): number {
  const nul = -profile.fnW * windowCount;
  const perfect = profile.tpW * windowCount;
  return (100 * (raw - nul)) / (perfect - nul);
}

export interface NabProfileResult extends NabRawResult {
  profile: string;
  /** The best threshold: detections are rows with score ≥ threshold; +Infinity means "no detections". */
  threshold: number;
  /** Normalised score, 0 = null detector, 100 = perfect. */
  score: number;
  windows: number;
}

/**
 * The one-threshold-per-profile sweep: every distinct score on a scored row is a candidate, plus
 * "no detections"; returns the one with the highest corpus raw score (ties: the higher threshold).
 * O(n log n): rows are taken in order of falling score and the raw score is updated incrementally.
 */
export function optimiseThreshold(files: readonly NabScoredFile[], profile: NabProfile): NabProfileResult {
  // Per scored row: its file, row, and window (global index) or FP term.
  let total = 0;
  for (const f of files) total += Math.max(0, f.scores.length - probationOf(f));
  const score = new Float64Array(total);
  const windowOf = new Int32Array(total);
  const term = new Float64Array(total); // TP term if in a window, FP term otherwise
  const rowOf = new Int32Array(total);
  const windowCount = files.reduce((a, f) => a + f.windows.length, 0);
  let at = 0;
  let wBase = 0;
  for (const f of files) {
    const n = f.scores.length;
    const inWindow = windowIndexByRow(n, f.windows);
    let lastEnded: RowWindow | undefined;
    let nextW = 0;
    for (let r = probationOf(f); r < n; r++) {
      while (nextW < f.windows.length && f.windows[nextW]!.end < r) lastEnded = f.windows[nextW++];
      const s = f.scores[r]!;
      score[at] = Number.isNaN(s) ? Number.NEGATIVE_INFINITY : s;
      rowOf[at] = r;
      const k = inWindow[r]!;
      if (k >= 0) {
        windowOf[at] = wBase + k;
        term[at] = windowTpTerm(r, f.windows[k]!, profile.tpW);
      } else {
        windowOf[at] = -1;
        term[at] = lastEnded ? falsePositiveTerm(r, [lastEnded], profile.fpW) : -profile.fpW;
      }
      at++;
    }
    wBase += f.windows.length;
  }
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]!);

  const earliestRow = new Int32Array(windowCount).fill(-1);
  const windowTerm = new Float64Array(windowCount).fill(-profile.fnW);
  let raw = -profile.fnW * windowCount;
  let tp = 0;
  let fp = 0;
  let best = { raw, threshold: Number.POSITIVE_INFINITY, tp: 0, fp: 0 };
  for (let g = 0; g < total;) {
    const s = score[order[g]!]!;
    if (s === Number.NEGATIVE_INFINITY) break;
    let h = g;
    for (; h < total && score[order[h]!] === s; h++) {
      const i = order[h]!;
      const w = windowOf[i]!;
      if (w < 0) {
        raw += term[i]!;
        fp++;
      } else if (earliestRow[w] === -1 || rowOf[i]! < earliestRow[w]!) {
        if (earliestRow[w] === -1) tp++;
        raw += term[i]! - windowTerm[w]!;
        windowTerm[w] = term[i]!;
        earliestRow[w] = rowOf[i]!;
      }
    }
    g = h;
    if (raw > best.raw) best = { raw, threshold: s, tp, fp };
  }
  // Recompute at the chosen threshold so the reported raw score carries no accumulated rounding.
  const exact =
    best.threshold === Number.POSITIVE_INFINITY
      ? { raw: -profile.fnW * windowCount, truePositives: 0, falsePositives: 0, falseNegatives: windowCount }
      : rawScoreAt(files, best.threshold, profile);
  return {
    profile: profile.name,
    threshold: best.threshold,
    ...exact,
    score: normalisedScore(exact.raw, windowCount, profile),
    windows: windowCount,
  };
}
