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
 * With `rho` > 0 the noise is taken as AR(1) with that lag-1 correlation (r in units of its marginal sd) and the
 * fits are generalised least squares: the window and each model's shape are prewhitened (Prais–Winsten:
 * u_0 = r_0, u_t = (r_t − ρ·r_{t−1})/√(1 − ρ²)) before the sums of squares. A persistent noise wanders: to a
 * white-noise fit its wander after a step reads as a slope, after a transient as a step.
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

let U = new Float64Array(16); // the prewhitened window (scratch)

export function classifyChange(
  r: ArrayLike<number>,
  at: number,
  penalty = CHANGE_KIND_PENALTY,
  rho = 0,
): ChangeClassification {
  const n = r.length;
  // Prewhitened (Prais–Winsten): u_0 = r_0, u_t = (r_t − ρ·r_{t−1})/√(1 − ρ²): unit innovations when the noise is
  // AR(1) with lag-1 correlation ρ (in units of its marginal sd); ρ = 0 leaves r as it is.
  const g = rho > 0 && rho < 1 ? rho : 0;
  const innov = 1 / Math.sqrt(1 - g * g);
  const u = U.length >= n ? U : (U = new Float64Array(n));
  let total = 0;
  for (let t = 0; t < n; t++) {
    u[t] = t === 0 ? r[0]! : (r[t]! - g * r[t - 1]!) * innov;
    total += u[t]! * u[t]!;
  }
  // Each model has one regressor x (its shape, the size free): its residual sum of squares is total − (x'·u)²/(x'·x'),
  // x' the regressor prewhitened like r.
  const fit = (shape: (t: number) => number): [number, number] => {
    let xu = 0;
    let xx = 0;
    let prev = 0;
    for (let t = 0; t < n; t++) {
      const x = shape(t);
      const xw = t === 0 ? x : (x - g * prev) * innov;
      prev = x;
      xu += xw * u[t]!;
      xx += xw * xw;
    }
    return xx > 0 ? [total - (xu * xu) / xx, xu / xx] : [Infinity, 0]; // a shape that is 0 everywhere fits nothing
  };

  // Transient: only the alert's reading is free.
  const transient = fit((t) => (t === at ? 1 : 0))[0] + penalty;

  // Step at τ: the readings from τ on share one level c.
  let step = Infinity;
  for (let tau = Math.max(0, at - 6); tau <= at; tau++) {
    const rss = fit((t) => (t >= tau ? 1 : 0))[0];
    if (rss < step) step = rss;
  }
  step += penalty;

  // Slope from τ: r_t = b·(t − τ) for t > τ, b by least squares through the hinge.
  let slope = Infinity;
  let rate = 0;
  for (let tau = -n; tau <= at; tau++) {
    const [rss, b] = fit((t) => (t > tau ? t - tau : 0));
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
