/**
 * Which kind of change explains a short window of readings around an alert: the pure classifier
 * behind the kind an alert carries (Harrison & Stevens' step, slope and transient, told apart the
 * way they are: by what the readings after the surprise do).
 *
 * Input: residuals r[0 .. W) in units of the series' noise scale, measured against the forecast
 * line the detector held before the alert (so "no change" is r ≈ 0), with the alert's reading at
 * index `at` and the readings after it following. Three models, fitted by least squares with unit
 * Gaussian noise:
 *
 *   transient   r_t = c·[t = at]                         one outlying reading, then back
 *   step        r_t = c·[t ≥ τ],      τ ∈ [at − 6, at]    a new level (possibly a little before the alert)
 *   slope       r_t = b·(t − τ)₊,     τ ∈ [−W, at]        a new growth rate, under way since τ
 *
 * Each model's cost is its residual sum of squares plus `penalty` per parameter (transient and step
 * one, slope two); the posterior of each kind is ∝ exp(−cost/2) with equal priors; `rate` is the
 * slope model's b (per reading, in noise units). O(W²), W ≤ 16.
 *
 * @example
 *   classifyChange([0, 0.3, -0.2, 0.1, 9, 9.2, 8.7, 9.1], 4)  // { kind: 'step', probability ≈ 1 }
 *   classifyChange([0.1, -0.3, 0.2, 0, 9, 0.4, -0.1, 0.2], 4) // { kind: 'transient', probability ≈ 1 }
 *   classifyChange([0, 1, 2, 3, 4, 5, 6, 7], 4)                // { kind: 'slope', probability ≈ 1 }
 */

export type ClassifiedKind = 'step' | 'slope' | 'transient';

export interface ChangeClassification {
  kind: ClassifiedKind;
  /** Posterior probability of `kind` among the three. */
  probability: number;
  /** Posterior of each kind, same order as CLASSIFIED_KINDS. */
  posterior: [number, number, number];
  /** The slope model's growth rate b, per reading in noise units (whatever the kind). */
  rate: number;
}

export const CLASSIFIED_KINDS: readonly ClassifiedKind[] = ['step', 'slope', 'transient'];

/** Default penalty per parameter (chosen on the synthetic families, never on NAB: NAB has no kinds). */
export const CHANGE_KIND_PENALTY = 4;

export function classifyChange(r: ArrayLike<number>, at: number, penalty = CHANGE_KIND_PENALTY): ChangeClassification {
  const n = r.length;
  let total = 0;
  for (let t = 0; t < n; t++) total += r[t]! * r[t]!;

  // Transient: only the alert's reading is free.
  const transient = total - r[at]! * r[at]! + penalty;

  // Step at τ: the readings from τ on share one level c (their mean).
  let step = Infinity;
  for (let tau = Math.max(0, at - 6); tau <= at; tau++) {
    let s = 0;
    let s2 = 0;
    for (let t = tau; t < n; t++) {
      s += r[t]!;
      s2 += r[t]! * r[t]!;
    }
    const m = n - tau;
    const rss = total - s2 + (s2 - (s * s) / m);
    if (rss < step) step = rss;
  }
  step += penalty;

  // Slope from τ: r_t = b·(t − τ) for t > τ, b by least squares through the hinge.
  let slope = Infinity;
  let rate = 0;
  for (let tau = -n; tau <= at; tau++) {
    let sxy = 0;
    let sxx = 0;
    let before = 0;
    for (let t = 0; t < n; t++) {
      const x = t - tau;
      if (x <= 0) {
        before += r[t]! * r[t]!;
        continue;
      }
      sxy += x * r[t]!;
      sxx += x * x;
    }
    if (sxx === 0) continue;
    const b = sxy / sxx;
    let rss = before;
    for (let t = 0; t < n; t++) {
      const x = t - tau;
      if (x <= 0) continue;
      const e = r[t]! - b * x;
      rss += e * e;
    }
    if (rss < slope) {
      slope = rss;
      rate = b;
    }
  }
  slope += 2 * penalty;

  const costs = [step, slope, transient];
  const best = Math.min(...costs);
  const w = costs.map((c) => Math.exp(-(c - best) / 2));
  const sum = w[0]! + w[1]! + w[2]!;
  const posterior: [number, number, number] = [w[0]! / sum, w[1]! / sum, w[2]! / sum];
  let k = 0;
  for (let i = 1; i < 3; i++) if (posterior[i]! > posterior[k]!) k = i;
  return { kind: CLASSIFIED_KINDS[k]!, probability: posterior[k]!, posterior, rate };
}

/**
 * The classification under a prior other than equal odds (same order as CLASSIFIED_KINDS): when the
 * path that raised the alert already says something about its kind (a drift gate fires on slopes).
 * @example withKindPrior(c, [0.15, 0.8, 0.05]) // a slope unless the readings argue clearly otherwise
 */
export function withKindPrior(c: ChangeClassification, prior: readonly [number, number, number]): ChangeClassification {
  const w = c.posterior.map((p, i) => p * prior[i]!);
  const sum = w[0]! + w[1]! + w[2]!;
  if (!(sum > 0)) return c;
  const posterior: [number, number, number] = [w[0]! / sum, w[1]! / sum, w[2]! / sum];
  let k = 0;
  for (let i = 1; i < 3; i++) if (posterior[i]! > posterior[k]!) k = i;
  return { kind: CLASSIFIED_KINDS[k]!, probability: posterior[k]!, posterior, rate: c.rate };
}
