/**
 * Calibration of stated probabilities against what happened: a reliability table and the Brier
 * score. Pure.
 *
 * @example
 *   const r = reliability([{ p: 0.95, outcome: true }, { p: 0.95, outcome: false }, { p: 0.05, outcome: false }]);
 *   r.brier;          // (0.05² + 0.95² + 0.05²) / 3 ≈ 0.3025
 *   r.bins[9];        // { lower: 0.9, upper: 1, count: 2, meanStated: 0.95, observed: 0.5 }
 */

export interface Forecasted {
  /** Stated probability, in [0, 1] (values outside are clamped into the end bins). */
  p: number;
  outcome: boolean;
}

export interface ReliabilityBin {
  /** Stated probabilities in [lower, upper); the last bin includes 1. */
  lower: number;
  upper: number;
  count: number;
  /** Mean stated probability in the bin; NaN if empty. */
  meanStated: number;
  /** Share of the bin's forecasts whose outcome was true; NaN if empty. */
  observed: number;
}

export interface Reliability {
  bins: ReliabilityBin[];
  count: number;
  /** Share of all outcomes that were true; NaN if none. */
  baseRate: number;
  /** Mean of (p − outcome)²: 0 is perfect, 0.25 is always saying 0.5. NaN if none. */
  brier: number;
}

/** The reliability table in `binCount` equal bins over [0, 1], and the Brier score. */
export function reliability(forecasts: readonly Forecasted[], binCount = 10): Reliability {
  const count = new Array<number>(binCount).fill(0);
  const sumP = new Array<number>(binCount).fill(0);
  const hits = new Array<number>(binCount).fill(0);
  let sq = 0;
  let trues = 0;
  for (const { p, outcome } of forecasts) {
    const b = Math.min(binCount - 1, Math.max(0, Math.floor(p * binCount)));
    count[b] = count[b]! + 1;
    sumP[b] = sumP[b]! + p;
    if (outcome) {
      hits[b] = hits[b]! + 1;
      trues++;
    }
    sq += (p - (outcome ? 1 : 0)) ** 2;
  }
  const n = forecasts.length;
  const bins = count.map((c, b): ReliabilityBin => ({
    lower: b / binCount,
    upper: (b + 1) / binCount,
    count: c,
    meanStated: c > 0 ? sumP[b]! / c : Number.NaN,
    observed: c > 0 ? hits[b]! / c : Number.NaN,
  }));
  return { bins, count: n, baseRate: n > 0 ? trues / n : Number.NaN, brier: n > 0 ? sq / n : Number.NaN };
}
