/**
 * The streaming anomaly detector contract: one detector per node and indicator series, fed one
 * reading at a time in time order, O(1) time and memory per reading, with a JSON snapshot that
 * restores to a detector whose outputs are bit-identical to one that never stopped.
 *
 * Implementations: `cyberstride.ts` (the default: a likelihood ensemble around) `harrison-stevens.ts`
 * (Cyberstride's multi-state Bayesian forecaster). See README.md for equations and NAB figures.
 * Every implementation runs the shared contract suite in `detector-contract.ts`.
 */

/** 'change': anomalous, kind not yet decided (see models' ChangeKind). */
export type ChangeKindOrNone = 'none' | 'change' | 'step' | 'slope' | 'transient' | 'flatline';
export interface Forecast {
  mean: number;
  lower: number;
  upper: number;
}
export interface DetectorOutput {
  /** Anomaly score in [0,1]. */
  score: number;
  kind: ChangeKindOrNone;
  /** Posterior probability of `kind` (for 'none', of the steady state). */
  probability: number;
  /** One-step-ahead forecast made BEFORE seeing this value, with its ~95% band; null during warm-up. */
  forecast: Forecast | null;
  /**
   * True exactly where the server raises an alert for this series, or updates its open one (a
   * reclassification of its kind): the decision itself, not a score to threshold. `opsroom detect`
   * writes it as the `alert` column.
   */
  alert: boolean;
  /** The detector has not yet seen enough of this series to be trusted: it raises nothing. */
  learning: boolean;
  /** (value − forecast mean) in noise standard deviations, signed; absent without a forecast. */
  sigmas?: number;
  /**
   * On an alert row: the reading that carries the evidence (for a transient, its one outlying
   * reading; for a step or slope, this reading), the forecast band it broke (mean ± 1.96 noise
   * standard deviations, the forecast held before the change) and how far outside, in noise σ.
   * What the alert shows; always outside its band.
   */
  evidence?: { value: number; sigmas: number; forecast: Forecast };
}
export interface StreamingDetector {
  /** One call per reading, in time order; sees only past readings. O(1) time and memory. */
  update(value: number, ts: number): DetectorOutput;
  /** JSON-serialisable state; restoreDetector(snapshot()) gives bit-identical outputs to one that never stopped. */
  snapshot(): DetectorState;
  /**
   * Optional: releases the detector's storage for reuse at once (Cyberstride: its slab slot). Not to be used
   * afterwards.
   */
  dispose?(): void;
}
export type DetectorState = { type: string; version: number; [k: string]: unknown };
