/**
 * Cyberstride: the default streaming detector. An ensemble of three surprise signals, each turned
 * into an "anomaly likelihood" (is the recent surprise unusual for this series?), plus a novelty
 * check on the range, with damping after it fires. Kind, probability and forecast come from the
 * Harrison–Stevens multi-state model (`harrison-stevens.ts`), which is also one ensemble member.
 * The README beside this file has the equations, what each part adds on NAB, and the figures.
 *
 * Per reading y_t at time ts_t (after the first):
 *
 *   1. level      e = y − ℓ,  z_A = |e| / max(σ, floor),  σ ← σ + a_σ(|e| − σ),  ℓ ← ℓ + a_ℓ e
 *                 (EWMA level, exponentially weighted mean absolute deviation as a robust scale)
 *   2. seasonal   b = ⌊bins · (time of day of ts)⌋, e_b = y − m_b,
 *                 z_B = |e_b| / max(d_b, σ, floor)  (0 until bin b has 3 readings),
 *                 m_b ← m_b + a e_b, d_b ← d_b + a(|e_b| − d_b), a = max(1 − (1 − a_s)^(Δt/bin width), 1/n_b)
 *                 (a_s per bin's worth of time, whatever the cadence)
 *   3. change     r_H = 1 − P(no change in the last 3 readings) from Harrison–Stevens
 *   raw scores    r_A = 1 − exp(−z_A²/(2c)), r_B likewise, r_H as is            (all in [0,1])
 *   likelihood    for each k: short mean s_k ← s_k + a_short(r_k − s_k); long mean μ_k and variance
 *                 v_k (rate max(a_long, 1/n): plain mean and variance at first);
 *                 x_k = (s_k − μ_k)/√max(v_k, 1e-6)                        (Numenta-style)
 *   score         Φ(max_k x_k), or 1 when y leaves [min, max] seen so far by more than
 *                 `rangeTolerance`·(max − min) after `rangeWarmup` readings (a new extreme:
 *                 Numenta's "spatial anomaly")
 *   damping       when the score reaches `fireAt`, the next `refractory` scores are multiplied by
 *                 `damping` — except once, when in the first `confirm` readings Harrison–Stevens
 *                 confirms a step or slope (P > `confirmProbability`) and the reading is still
 *                 `confirmSigmas`·σ away from the level before firing: that reading scores at
 *                 least `fireAt`, so the server's alert learns the kind ('step', not 'transient').
 *
 * During the first `warmup` readings the score is 0. The score decides nothing: what is raised
 * (`alert`) is the decision's (`decide`, README.md's table: gross change, persistent extreme,
 * record, scored change, time of day, sustained time of day, slope, long level, shift, drift, candidate,
 * flatline).
 * O(1) time per reading. In memory a detector is a slot of 744 bytes (24 bins) in a slab shared
 * with other detectors of the same options (`slab.ts`; float64 timestamp and anchor, float32
 * numbers, bf16 bin deviations, uint8 bin counts; layout below) and a 40-byte object. The snapshot
 * is that slot in base64 (version 9, under 2 KiB of JSON with the options).
 *
 * @example
 *   const d = new CyberstrideDetector();
 *   for (let t = 0; t < 120; t++) d.update(100 + noise(), t * 1000);   // noise ±2
 *   d.update(160, 120_000);   // score 1 (a new extreme), kind 'transient' or 'step'
 *   d.update(160, 121_000);   // score stays ≥ fireAt while HS confirms: kind 'step'
 */
import type { ChangeKindOrNone, DetectorOutput, DetectorState } from './detector.js';
import type { StreamingDetector } from './detector.js';
import { CHANGE_KIND_PENALTY, classifyChange, withKindPrior } from './change-kind.js';
import { decodeFloat64 } from './float64-codec.js';
import { F32_MAX, f32Down, f32Up, fromBf16, SlabAllocator, toBf16, toF32, type Slab } from './slab.js';
import {
  checkResolvedOptions,
  HARRISON_STEVENS_STATE_LENGTH,
  HS_LAYOUT,
  harrisonStevensModel,
  harrisonStevensUpdate,
  numbersKey,
  resolveHarrisonStevensOptions,
  type HarrisonStevensModel,
  type HarrisonStevensOptions,
  type ResolvedHarrisonStevensOptions,
} from './harrison-stevens.js';

export const CYBERSTRIDE_TYPE = 'cyberstride';
export const CYBERSTRIDE_VERSION = 9;

export interface CyberstrideOptions {
  /** Readings before any non-zero score (≥ 1). */
  warmup?: number;
  /** EWMA rate of the level a_ℓ. */
  levelRate?: number;
  /** EW rate of the mean absolute deviation a_σ. */
  scaleRate?: number;
  /** Time-of-day bins of the seasonal baseline (0 turns it off, at most 96). */
  seasonalBins?: number;
  /** EW rate a_s of each seasonal bin's mean and deviation, per bin's worth of time (per reading at most). */
  seasonalRate?: number;
  /** c in r = 1 − exp(−z²/(2c)). */
  rawSoftness?: number;
  /** Rate of the short mean of each raw score. */
  shortRate?: number;
  /** Rate of the long mean and variance of each raw score. */
  longRate?: number;
  /** A value beyond [min, max] seen so far by more than this fraction of (max − min) scores 1 (0 turns it off). */
  rangeTolerance?: number;
  /** Readings before a new extreme counts (the range of a few readings is no reference). */
  rangeWarmup?: number;
  /** Score at which the detector fires (the server's alert threshold should equal it). */
  fireAt?: number;
  /** Readings after a raised alert in which the score is damped and only a gross change raises again. */
  refractory?: number;
  /** Factor applied to the score during the refractory readings. */
  damping?: number;
  /** Readings before the detector may raise anything (it is `learning` until then). */
  learn?: number;
  /** Least |y − forecast| in forecast standard deviations for the score to raise an alert. */
  zGate?: number;
  /** A change this many forecast standard deviations away raises an alert whatever the score and the refractory. */
  zGross?: number;
  /** Per-reading decay of the tail statistic T (the largest recent |z| of normal readings). */
  tailDecay?: number;
  /** The score raises only when |z| ≥ tailMult·T: beyond what this series itself does. */
  tailMult?: number;
  /** A gross change must also reach grossTailMult·T. */
  grossTailMult?: number;
  /** Readings after an alert before its kind is decided (the alert opens as 'change'). */
  classifyAfter?: number;
  /** Penalty per parameter of the kind classifier (change-kind.ts). */
  kindPenalty?: number;
  /** Readings after an alert that belong to its episode (not learnt into T, no new alert but gross). */
  episode?: number;
  /** Least |z| (with the score at fireAt) for a candidate: raised only if the next readings confirm a step or slope… */
  zCandidate?: number;
  /** …whose mean shift after the candidate reaches this many forecast standard deviations… */
  confirmSigmas?: number;
  /** …and shiftTailMult × the largest shift seen at this series' candidates. */
  shiftTailMult?: number;
  /**
   * Kurtosis knee: a series whose kurtosis of z exceeds it (a heavy tail; Gaussian 3) has its gates multiplied by
   * (kurtosis/tailKnee)^tailPower.
   */
  tailKnee?: number;
  /**
   * Long-level gate: the median of the last five against the slow level (LONG_SPAN readings), beyond the usual slope's
   * lag, in noise σ, must reach zLong…
   */
  zLong?: number;
  /** …and longTailMult × its own root mean square (lifted like every gate for a heavy tail and a young series). */
  longTailMult?: number;
  /** Sustained-shift path: the log-likelihood ratio of a shift of 2 × cusumAllowance (in the scale of the
   *  reading's distance from a reference line that stops learning while the evidence mounts), prewhitened… */
  cusumAllowance?: number;
  /**
   * …raises an alert when it reaches max(cusumLimit, cusumTailMult × its own fourth-moment root) × the heavy-tail and
   * youth factors.
   */
  cusumLimit?: number;
  cusumTailMult?: number;
  /** Drift path: each reading adds the ring slope's |t| less max(driftAllowance, driftTailShare × its usual tail)… */
  driftAllowance?: number;
  driftTailShare?: number;
  /**
   * …and an alert is raised when the sum reaches driftLimit (Page's CUSUM; it restarts at 0 whenever it would go
   * below).
   */
  driftLimit?: number;
  /**
   * See tailKnee: how steeply a heavy tail lifts the gates (the sample kurtosis of a very heavy tail, e.g. Student t3,
   * understates it).
   */
  tailPower?: number;
  /** T is inflated by 1 + youth/√n after n readings: little history says little about the tail. */
  youth?: number;
  /** Least |t| of the last RING_LEN readings' slope against its usual value for a slope to raise an alert… */
  zSlope?: number;
  /** …and it must reach slopeTailMult × the largest recent such |t|. */
  slopeTailMult?: number;
  /**
   * A new extreme that persists: within this many readings after a reading beyond the range seen so far (the score's
   * new extreme), one in the same direction at least zGross from the reference raises a `change`, whatever this
   * series' tail (0 turns it off).
   */
  extremeWithin?: number;
  /**
   * A record beyond the series' own tail: a reading past every one seen so far whose probability under the tail fitted
   * to the series' own TAIL_K + 1 largest (or smallest) readings (a Pareto tail, its index by Hill's estimator) is
   * below tailP, and at least zGross from the reference, raises a `change` at once (0 turns it off).
   */
  tailP?: number;
  /**
   * A reading far from its time of day's usual value: |y − m_b| / max(d_b, σ) (its seasonal bin's EW mean and mean
   * absolute deviation, the level member's scale) at least seasonMult × the series' own tail of that ratio
   * (TAIL_SCALE·(EW E|z_s|⁴)^¼, lifted like every gate) and at least zGross raises a `change` (0 turns it off).
   * What no path measured against the last readings can see: a day whose usual rise does not come.
   */
  seasonMult?: number;
  /**
   * A day that runs away from its usual values for hours: the time-weighted mean of the reading's distance from its
   * time of day's usual value (z_s above, clamped to ±4, or less where one reading weighs much: SU_ONE; time constant SUSTAIN_MS, six hours) at least sustainMult ×
   * the series' own tail of that mean ((EW E m⁴)^¼) and at least SUSTAIN_FLOOR (1) raises a `step`, once the series has
   * had its time-of-day bins for a week (its tail has seen a weekly pattern). 0 turns it off.
   */
  sustainMult?: number;
  /** Least run of identical readings that is a flatline… */
  flatRun?: number;
  /** …and it must exceed flatMult × the longest run this series showed before. */
  flatMult?: number;
  /** Ablation switches (1 on, 0 off), for measuring what each part adds: the level member, the
   *  Harrison–Stevens member, and the likelihood post-processing (off: score = largest raw score). */
  useLevel?: number;
  useChange?: number;
  useLikelihood?: number;
  /** Options of the Harrison–Stevens member. */
  harrisonStevens?: HarrisonStevensOptions;
}

type OwnKey = Exclude<keyof CyberstrideOptions, 'harrisonStevens'>;
export type ResolvedCyberstrideOptions = Record<OwnKey, number> & { harrisonStevens: ResolvedHarrisonStevensOptions };

/** Defaults: one set of settings for every series (chosen on the NAB subset; see README.md). */
export const CYBERSTRIDE_DEFAULTS: Readonly<Record<OwnKey, number>> = Object.freeze({
  warmup: 20,
  levelRate: 0.5,
  scaleRate: 0.01,
  seasonalBins: 24,
  seasonalRate: 0.07,
  rawSoftness: 10,
  shortRate: 0.1,
  longRate: 0.0014,
  rangeTolerance: 0.02,
  rangeWarmup: 100,
  fireAt: 0.99,
  refractory: 200,
  damping: 0.5,
  learn: 150,
  zGate: 5,
  zGross: 5.75,
  tailDecay: 0.9999,
  tailMult: 1.5,
  grossTailMult: 1.1,
  classifyAfter: 3,
  kindPenalty: CHANGE_KIND_PENALTY,
  episode: 20,
  zCandidate: 3.5,
  confirmSigmas: 3,
  shiftTailMult: 1,
  tailKnee: 4,
  tailPower: 1.5,
  youth: 5,
  zSlope: 6,
  slopeTailMult: 1.5,
  zLong: 3,
  longTailMult: 5.5,
  driftAllowance: 2.5,
  driftTailShare: 0.7,
  driftLimit: 45,
  cusumAllowance: 1,
  cusumLimit: 12,
  cusumTailMult: 2.9,
  extremeWithin: 3,
  tailP: 1e-6,
  seasonMult: 2,
  sustainMult: 3,
  flatRun: 10,
  flatMult: 2,
  useLevel: 1,
  useChange: 1,
  useLikelihood: 1,
});

const OWN_KEYS = Object.keys(CYBERSTRIDE_DEFAULTS) as OwnKey[];
const MAX_BINS = 96;

// The full state vector (rebuilt per reading from the compact slot, below; version-1 snapshots
// hold it): the Harrison–Stevens member's state comes first, at [0, HS), Cyberstride's own follows.
const HS = HARRISON_STEVENS_STATE_LENGTH;
const COUNT = HS + 0;
const LEVEL = HS + 1;
const SCALE = HS + 2;
const MIN = HS + 3;
const MAX = HS + 4;
const REFRACTORY = HS + 5; // readings of damping left
// Page's CUSUM of the ring slope's |t| beyond its allowance (a slow drift); until version 3 readings since firing,
// which nothing read
const DRIFT = HS + 6;
const LIK = HS + 7; // 3 members × (short mean, long mean, long variance)
const REJECTED = HS + 16;
const LAST_TS = HS + 17;
// decayed max of the 3-reading shift |mean of the last 3 − the median before| in noise σ (a version-1 state held the
// level at its last firing here)
const SHIFT_TAIL = HS + 18;
// a version-1 own state: these 19, then per bin mean, mean absolute deviation; then the bin counts (capped at
// COUNT_CAP)
const V1_OWN = 19;
// The alert decision (version 3):
const TAIL = HS + 19; // E|z|⁴, exponentially weighted (T is derived from it)
const EPISODE = HS + 20; // readings since the last alert, while its episode lasts (0: none)
const BASE_F = HS + 21; // forecast mean at the alert's reading
const BASE_B = HS + 22; // forecast slope per reading then
const BASE_SD = HS + 23; // forecast standard deviation then
const RUN = HS + 24; // identical readings in a row, now
const MAXRUN = HS + 25; // the longest such run outside alert episodes
const RING = HS + 26; // the last RING_LEN values, oldest first after rotation (index count % RING_LEN)
const RING_LEN = 16;
/** count & RING_MASK is count mod RING_LEN (a power of two) for any count below 2^53: an integer AND, where % on a double is a floating-point remainder. */
const RING_MASK = RING_LEN - 1;
/** Order statistics of the series' own tail that a record is judged against (Hill's estimator over the TAIL_K largest). */
const TAIL_K = 8;
const RING_AT = 12; // where the alert's reading sits in the classifier's window
const KIND = HS + 42; // kind of the open episode (KIND_CODES)
const SLOPE_EW = HS + 43; // the usual slope of the last RING_LEN readings (slow EW mean)
const SLOPE_TAIL = HS + 44; // decayed max of |t| of that slope's deviation, outside alert episodes
const SLOPE_TAIL_LAG = HS + 45; // SLOPE_TAIL as it was at the last multiple of RING_LEN readings…
// …and at the one before: what the slope gate compares with (a ramp must not teach the gate it is normal while it
// rises)
const SLOPE_TAIL_GATE = HS + 46;
const TAIL_M2 = HS + 47; // E z², exponentially weighted like TAIL: with it, the kurtosis E z⁴ / (E z²)²
// The long-level drift gate (version 4):
const LONG = HS + 48; // slow EW level of the median of five (rate 1/LONG_SPAN): where the series was, lately
const LONG_M2 = HS + 49; // EW mean square of D, the median's distance from it beyond the usual slope's lag (noise σ)
// The sustained-shift CUSUM (version 5):
// the reference line (Holt's: level rate 1/SH_REF_SPAN, slope rate SH_SLOPE_RATE), learnt from the reading leaving the
// ring: its level…
const SH_REF = HS + 50;
// the log-likelihood ratio of a shift upwards that began some readings ago (Page's recursion, 0: none) …
const SH_UP = HS + 51;
const SH_DN = HS + 52; // … and of one downwards
const SH_SCALE = HS + 53; // EW mean |y − reference| (series units): that scale, × √(π/2)
// EW mean fourth power of the larger sum (its own gate: a heavy tail of sums, such as a weekly pattern's, lifts it)
const SH_M4 = HS + 54;
// readings since the larger sum began (was 0, or restarted at a reading that alone says more); kept through an alert's
// episode
const SH_AGE = HS + 55;
// …and its slope per reading; the line goes on at its slope, learning slower, while a sum is high
const SH_REF2 = HS + 56;
const SH_PREV = HS + 57; // the last reading's distance from the reference, in its scale (clamped)
const SH_RHO = HS + 58; // EW mean of that distance × the previous one: its lag-1 autocorrelation
// readings since the last new extreme (1: the last reading), signed by its direction; 0: none within extremeWithin.
// Stored in bits 8–16 of the kind word (KIND < 256), so a version-5 slot without it reads as none.
const EXT = HS + 59;
// How many readings the series' own extremes (version 6; kept in the slot only, F_TOP and F_BOT) have seen: 0 after a
// conversion from an earlier version.
const TAIL_N = HS + 60;
const SEAS_M4 = HS + 61; // EW E|z_s|⁴ of the reading's distance from its time of day's usual value (seasonMult)
const SEAS_M2 = HS + 62; // EW E z_s² (with it, that distance's own kurtosis)
const SEAS_N = HS + 63; // readings that entered another seasonal bin than the reading before (capped at SEAS_N_CAP)
// The sustained time-of-day path (version 8): the time-weighted mean of the clamped z_s (SUSTAIN_MS), and the EW
// mean fourth power of its size (its own gate).
const SU_MEAN = HS + 64;
const SU_M4 = HS + 65;
const OWN_LEN = 66;
const BINS = HS + OWN_LEN;
// 5: a `change` raised by a drift gate, waiting for its kind (classified with DRIFT_PRIOR).
const KIND_CODES: readonly ChangeKindOrNone[] = [
  'change',
  'step',
  'slope',
  'transient',
  'flatline',
  'change',
  'change',
  'change',
];
const DRIFT_BORN = 5;
/** A drift gate fires on slopes: the classifier's prior for such an alert (step, slope, transient). */
const DRIFT_PRIOR = [0.15, 0.8, 0.05] as const;
// 6: a `change` raised by a young shift CUSUM, waiting for its kind (classified with SHIFT_PRIOR, at the onset it
// estimates; an older one is raised with its kind).
const SHIFT_BORN = 6;
// 7: a `change` raised by the time-of-day path, waiting for its kind (classified against its time of day; BASE_B holds
// the onset's direction, ±1).
const SEASON_BORN = 7;
/** The CUSUM fires on sustained shifts: the classifier's prior for such an alert (step, slope, transient). */
const SHIFT_PRIOR = [0.6, 0.35, 0.05] as const;
// The shift path's settings, chosen on the synthetic tuning seeds 1001–1040 alone (README.md).
/**
 * Readings of the shift reference's memory (its level's EW rate), of its scale's and autocorrelation's, and of its
 * gate's fourth moment.
 */
const SH_REF_SPAN = 32;
const SH_SCALE_SPAN = 1000;
const SH_M4_SPAN = 2000;
/**
 * EW rate of the reference line's slope: slow (a persistent noise's local trends are noise; the line is carried
 * RING_LEN + 1 readings).
 */
const SH_SLOPE_RATE = 1 / 256;
/**
 * A reading counts at most this far from the reference (in its scale), and an innovation at most SH_UCLAMP: one outlier
 * is not a shift.
 */
const SH_CLAMP = 4;
const SH_UCLAMP = 8;
/** The autocorrelation the prewhitening trusts at most. */
const SH_RHO_MAX = 0.95;
/** Below this lag-1 correlation (white noise sits near 0.05) the kind classifier takes the noise as white. */
const KIND_RHO_MIN = 0.3;
/**
 * The reference learns SH_FROZEN times slower once a sum passes SH_FREEZE of cusumLimit, or from a reading more than
 * SH_LEARN_X of its scale from the line.
 */
const SH_FREEZE = 0.25;
const SH_FROZEN = 0.125;
const SH_LEARN_X = 2;
/** A sum that has not reached its gate SH_MAX_AGE readings after it began starts again. */
const SH_MAX_AGE = 120;
/**
 * A shift is raised at least SH_MIN_AGE readings after it began (so its kind shows: a slope's first readings look like
 * a step), unless the sum reaches SH_FAST × its gate.
 */
const SH_MIN_AGE = 14;
const SH_FAST = 2;
const SLOPE_KIND = KIND_CODES.indexOf('slope');
const STEP_KIND = KIND_CODES.indexOf('step');
/** The sustained path's time constant: the mean of z_s over about the last six hours. */
const SUSTAIN_MS = 6 * 3_600_000;
/**
 * The sustained path looks for hours of readings away from their usual values, not for a few far ones: one reading
 * moves its mean at most SU_ONE of the floor (z_s clamped to ±min(4, SU_ONE·floor/w), w that reading's weight: 4 up to
 * 23-minute readings, 3.1 at half-hourly, 1.6 at hourly). At ±4 alone one far reading of a heavy tail moved an hourly
 * series' six-hour mean (w = 0.15) 0.6 of the floor, and two made an alert: Student t3 at hourly readings raised 2.7 per
 * 10k, white noise 0.6. Chosen on those two (1/3 left t3 at 0.60 on ten probe seeds; 1/5 raised a day 3σ low for twelve
 * hours at hourly readings in 2 of 10 seeds, 1/4 in 9).
 */
const SU_ONE = 1 / 4;
/** Least mean |z_s| the sustained path raises (the last hours ran at least one of their sd away from usual). */
const SUSTAIN_FLOOR = 1;
/**
 * The time over which the sustained path's tail (E m⁴) learns: per time, as its mean runs, so an hourly series' 2,000
 * readings whatever the cadence. Per reading (2,000 readings), a 5-minute series' tail lifted its own gate within the
 * hours a sustained change took to build (m⁴ near the gate is ~40× its mean: 2 % a reading).
 */
const SU_TAIL_MS = 2000 * 3_600_000;
/** The weekday offsets' time constant, in time spent on that weekday: a day moves its weekday's offset 28 %. */
const WEEKDAY_MS = 3 * 86_400_000;
/** Days of bin changes before the sustained path opens: two for the bins, then a week for its own tail. */
const SUSTAIN_OPEN_DAYS = 16;
/**
 * A candidate's step must take the series at least this far (in its time of day's sd) away from its time of day's
 * usual value, once that is known: a step back to the usual (a Monday after a weekend) is a return, not news.
 */
const SEASON_CONFIRM = 1;
const FLAT_KIND = KIND_CODES.indexOf('flatline');
/** Readings of the long level's memory (its EW rate is 1/LONG_SPAN), and of its gate's mean square. */
const LONG_SPAN = 32;
const LONG_M2_SPAN = 2000;
/**
 * The onset probability 1/(1 + (m/ONSET_CENTER)^−ONSET_SLOPE), m how far past its gate an onset went: a logistic in
 * ln m. The steepness was fitted on the synthetic tuning seeds 1001–1040; the centre 0.9 (0.71 at the gate, 0.99 at
 * 1.5×) re-fitted there on 2026-12-07 when a shift's return came to count as a real change (onset Brier 0.1095 → 0.1037
 * against 0.1059 for stating the base rate; centres 0.8–1 and steepness 5–11 tried).
 */
const ONSET_SLOPE = 8.5;
const ONSET_CENTER = 0.9;

/** How sure an onset is that passed its gate by the factor m (≥ 1): 1/(1 + (m/ONSET_CENTER)^−ONSET_SLOPE). */
function onsetSure(m: number): number {
  return 1 / (1 + (m / ONSET_CENTER) ** -ONSET_SLOPE);
}
const PENDING = 8; // added to KIND while a candidate waits for its evidence (nothing raised yet)
// A bin's count, capped; fits one base-36 digit (a version-1 snapshot's counts). Until a bin has this many readings it
// learns at least 1/count (the mean of what it has seen); from then on at seasonalRate per bin's worth of time alone.
const COUNT_CAP = 35;
const DAY_MS = 86_400_000;

const { abs, exp, floor, max, sqrt } = Math;
const isFiniteNumber = Number.isFinite;

/**
 * Standard normal CDF Φ(x) through erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
 * @example normalCdf(0) ≈ 0.5; normalCdf(2.326) ≈ 0.99; normalCdf(-1) ≈ 0.1587
 */
export function normalCdf(x: number): number {
  const u = -x * Math.SQRT1_2;
  const z = abs(u);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  const erfc = u >= 0 ? r : 2 - r;
  return 0.5 * erfc;
}

/** Merge over the defaults and validate; throws a RangeError naming the bad option. */
export function resolveCyberstrideOptions(opts: CyberstrideOptions = {}): ResolvedCyberstrideOptions {
  const own = {} as Record<OwnKey, number>;
  for (const k of OWN_KEYS) own[k] = opts[k] ?? CYBERSTRIDE_DEFAULTS[k];
  const resolved = { ...own, harrisonStevens: resolveHarrisonStevensOptions(opts.harrisonStevens) };
  const problem = checkCyberstrideOptions(resolved);
  if (problem) throw new RangeError(`cyberstride detector: ${problem}`);
  return resolved;
}

function checkCyberstrideOptions(o: ResolvedCyberstrideOptions): string | null {
  for (const k of OWN_KEYS)
    if (typeof o[k] !== 'number' || !isFiniteNumber(o[k])) return `${k} must be a finite number, got ${String(o[k])}`;
  const rate = (k: OwnKey) => (o[k] > 0 && o[k] <= 1 ? null : `${k} must be in (0, 1], got ${o[k]}`);
  const int = (k: OwnKey, lo: number, hi: number) =>
    Number.isInteger(o[k]) && o[k] >= lo && o[k] <= hi
      ? null
      : `${k} must be an integer in [${lo}, ${hi}], got ${o[k]}`;
  return (
    int('warmup', 1, 1e7) ??
    rate('levelRate') ??
    rate('scaleRate') ??
    int('seasonalBins', 0, MAX_BINS) ??
    rate('seasonalRate') ??
    (o.rawSoftness > 0 ? null : `rawSoftness must be > 0, got ${o.rawSoftness}`) ??
    rate('shortRate') ??
    rate('longRate') ??
    (o.rangeTolerance >= 0 ? null : `rangeTolerance must be ≥ 0, got ${o.rangeTolerance}`) ??
    (o.fireAt > 0 && o.fireAt <= 1 ? null : `fireAt must be in (0, 1], got ${o.fireAt}`) ??
    int('rangeWarmup', 0, 1e7) ??
    int('refractory', 0, 1e7) ??
    (o.damping >= 0 && o.damping <= 1 ? null : `damping must be in [0, 1], got ${o.damping}`) ??
    int('learn', 1, 1e7) ??
    (o.zGate >= 0 ? null : `zGate must be ≥ 0, got ${o.zGate}`) ??
    (o.zGross > 0 ? null : `zGross must be > 0, got ${o.zGross}`) ??
    rate('tailDecay') ??
    (o.tailMult >= 0 ? null : `tailMult must be ≥ 0, got ${o.tailMult}`) ??
    (o.grossTailMult >= 0 ? null : `grossTailMult must be ≥ 0, got ${o.grossTailMult}`) ??
    int('classifyAfter', 1, RING_LEN - RING_AT - 1) ??
    (o.kindPenalty >= 0 ? null : `kindPenalty must be ≥ 0, got ${o.kindPenalty}`) ??
    int('episode', o.classifyAfter, 1e7) ??
    (o.zCandidate >= 0 ? null : `zCandidate must be ≥ 0, got ${o.zCandidate}`) ??
    (o.confirmSigmas >= 0 ? null : `confirmSigmas must be ≥ 0, got ${o.confirmSigmas}`) ??
    (o.shiftTailMult >= 0 ? null : `shiftTailMult must be ≥ 0, got ${o.shiftTailMult}`) ??
    (o.youth >= 0 ? null : `youth must be ≥ 0, got ${o.youth}`) ??
    (o.tailKnee > 0 ? null : `tailKnee must be > 0, got ${o.tailKnee}`) ??
    (o.tailPower >= 0 ? null : `tailPower must be ≥ 0, got ${o.tailPower}`) ??
    (o.zLong > 0 ? null : `zLong must be > 0, got ${o.zLong}`) ??
    (o.longTailMult >= 0 ? null : `longTailMult must be ≥ 0, got ${o.longTailMult}`) ??
    (o.driftAllowance > 0 ? null : `driftAllowance must be > 0, got ${o.driftAllowance}`) ??
    (o.driftTailShare >= 0 ? null : `driftTailShare must be ≥ 0, got ${o.driftTailShare}`) ??
    (o.driftLimit > 0 ? null : `driftLimit must be > 0, got ${o.driftLimit}`) ??
    (o.zSlope > 0 ? null : `zSlope must be > 0, got ${o.zSlope}`) ??
    (o.slopeTailMult >= 0 ? null : `slopeTailMult must be ≥ 0, got ${o.slopeTailMult}`) ??
    int('extremeWithin', 0, RING_LEN) ??
    (o.tailP >= 0 && o.tailP < 1 ? null : `tailP must be in [0, 1), got ${o.tailP}`) ??
    (o.seasonMult >= 0 ? null : `seasonMult must be ≥ 0, got ${o.seasonMult}`) ??
    (o.sustainMult >= 0 ? null : `sustainMult must be ≥ 0, got ${o.sustainMult}`) ??
    int('flatRun', 2, 1e7) ??
    (o.flatMult >= 0 ? null : `flatMult must be ≥ 0, got ${o.flatMult}`) ??
    int('useLevel', 0, 1) ??
    int('useChange', 0, 1) ??
    int('useLikelihood', 0, 1) ??
    (typeof o.harrisonStevens === 'object' && o.harrisonStevens !== null
      ? checkResolvedOptions(o.harrisonStevens, true)
      : 'harrisonStevens options missing')
  );
}

export interface CyberstrideState extends DetectorState {
  type: typeof CYBERSTRIDE_TYPE;
  version: typeof CYBERSTRIDE_VERSION;
  options: ResolvedCyberstrideOptions;
  /** The detector's slot (`cyberstrideSlotBytes(bins)` bytes, layout below), base64. */
  state: string;
}

/** Snapshots of earlier builds (still restored). */
export interface CyberstrideStateV1 extends DetectorState {
  type: typeof CYBERSTRIDE_TYPE;
  version: 1;
  options: ResolvedCyberstrideOptions;
  /** Own state vector without the seasonal counts, base64 float64 (float64-codec.ts). */
  state: string;
  /** Seasonal bin counts, one base-36 digit each (capped at 35). */
  counts: string;
  /** The Harrison–Stevens member's state vector, base64 float64. */
  hs: string;
}

/**
 * What every detector with the same resolved options shares: the frozen options and the
 * Harrison–Stevens member's model (`harrisonStevensModel`). Built once per distinct options
 * (cached by an exact key of the numbers), never per detector.
 */
export interface CyberstrideModel {
  readonly opts: Readonly<ResolvedCyberstrideOptions>;
  readonly hs: HarrisonStevensModel;
  /** ln(1 − seasonalRate): a bin learns 1 − e^(span·logKeep) from a reading a fraction `span` of its width after the last. */
  readonly logKeep: number;
}

/** Distinct option sets are few (usually only the defaults); past this many, models are built per detector. */
const MODEL_CACHE_LIMIT = 256;
const MODELS = new Map<string, CyberstrideModel>();
/** Models in the cache: their detectors share slabs of many slots (others get a slab of one). */
const CACHED = new WeakSet<CyberstrideModel>();
let defaultModel: CyberstrideModel | undefined;

/** The shared model of user options or resolved ones (resolved ones are used as they are, not validated). */
export function cyberstrideModel(options: CyberstrideOptions | ResolvedCyberstrideOptions = {}): CyberstrideModel {
  const isDefault = Object.keys(options).length === 0;
  if (isDefault && defaultModel) return defaultModel;
  const resolved = isResolved(options) ? options : resolveCyberstrideOptions(options);
  const hs = harrisonStevensModel(resolved.harrisonStevens);
  const ownKey = numbersKey(OWN_KEYS.map((k) => resolved[k]));
  const key = ownKey !== null && hs.key !== null ? `${ownKey}|${hs.key}` : null;
  let model = key === null ? undefined : MODELS.get(key);
  if (!model) {
    const own = {} as Record<OwnKey, number>;
    for (const k of OWN_KEYS) own[k] = resolved[k];
    model = Object.freeze({
      opts: Object.freeze({ ...own, harrisonStevens: hs.opts as ResolvedHarrisonStevensOptions }),
      hs,
      logKeep: Math.log1p(-own.seasonalRate),
    });
    if (key !== null && MODELS.size < MODEL_CACHE_LIMIT) {
      MODELS.set(key, model);
      CACHED.add(model);
    }
  }
  if (isDefault) defaultModel = model;
  return model;
}

// ── Compact state (version 2) ───────────────────────────────────────────────────────────────────
// A detector's state lives in a slot of a shared slab (slab.ts): no per-detector array. Each reading
// rebuilds the full float64 state vector above (Harrison–Stevens' 59 numbers, then Cyberstride's
// 19) in one module-level scratch vector `S`, runs the update on it and stores it back. In the slot:
//
//   float64  last timestamp; anchor a (the first value); unit u (a power of 2)
//   float32  everything else, numbers in the series' units as (x − a)/u (levels) or x/u (scales,
//            slopes), dimensionless ones (weights, covariances in units of S, likelihood means) as is
//   uint32   counts (readings, rejected, refractory, since firing)
//   bf16     seasonal bin deviations (16 bits: 0.4 % steps; they only bound a denominator)
//   uint8    seasonal bin counts
//
// During Harrison–Stevens' warm-up its three float64 least-squares sums use the bytes of its
// (not yet used) weights and means. u is rescaled when a value would leave float32's range.
const H = HS_LAYOUT;
const W_TS = 0;
const W_ANCHOR = 1;
const W_UNIT = 2;
const W_MY = 3; // warm-up only, over F_P..F_M
const W_CXY = 4;
const W_M2Y = 5;
const F_P = 6;
const F_M = 10;
const F_C = 18;
const F_HP = 30;
const F_HM = 34;
const F_HC = 42;
const F_SCALE = 54;
const F_NU = 55;
const U_COUNT = 56;
const U_REJ = 57;
const F_LEVEL = 58;
const F_CSCALE = 59;
const F_MIN = 60;
const F_MAX = 61;
const F_SHIFT_TAIL = 62;
const U_REFR = 63;
const F_DRIFT = 64; // a uint32 count until the drift path came: as float32 its bits read ≈ 0
const F_LIK = 65; // 9
const F_TAIL = 74;
const U_EPISODE = 75;
const F_BASE_F = 76;
const F_BASE_B = 77;
const F_BASE_SD = 78;
const U_RUN = 79;
const U_MAXRUN = 80;
const F_RING = 81; // RING_LEN
const U_KIND = 97;
const F_SLOPE_EW = 98;
const F_SLOPE_TAIL = 99;
const F_SLOPE_TAIL_LAG = 100;
const F_SLOPE_TAIL_GATE = 101;
const F_TAIL_M2 = 102;
const F_LONG = 103;
const F_LONG_M2 = 104;
const F_SH_REF = 105;
const F_SH_UP = 106;
const F_SH_DN = 107;
const F_SH_SCALE = 108;
const F_SH_M4 = 109;
const U_SH_AGE = 110;
const F_SH_REF2 = 111;
const F_SH_PREV = 112;
const F_SH_RHO = 113;
// The series' TAIL_K + 1 largest readings, largest first, and its TAIL_K + 1 smallest, smallest first (float32 units
// from the anchor; the first of each rounded outwards; ∓F32_MAX: empty). Read and written in the slot, not through S:
// a reading rarely changes them.
const F_TOP = 114;
const F_BOT = F_TOP + TAIL_K + 1;
const U_TAIL_N = F_BOT + TAIL_K + 1;
const F_SEAS_M4 = U_TAIL_N + 1;
const F_SEAS_M2 = F_SEAS_M4 + 1;
const F_SU_MEAN = F_SEAS_M2 + 1;
const F_SU_M4 = F_SU_MEAN + 1;
const F_WEEKDAY = F_SU_M4 + 1; // 7: the weekday offsets of z_s, Sunday first
const F_SMEAN = F_WEEKDAY + 7; // seasonal bin means (float32), then their deviations (bf16), then counts (uint8)
const V8_SMEAN = F_WEEKDAY; // where a version-8 slot had them
const V7_SMEAN = F_SU_MEAN; // where a version-7 slot had them
const V6_SMEAN = F_SEAS_M4; // where a version-6 slot had them
const V5_SMEAN = 114; // where a version-5 slot had them
const V4_SMEAN = 105; // where a version-4 slot had them
const V2_SMEAN = 74; // where a version-2 slot had them
const V3_SMEAN = 103; // and a version-3 one
const U32_MAX = 4294967295;
const ABS_SCALE_FLOOR = 1e-300;
const RESCALE_AT = 2 ** 100; // |x − a|/u beyond this: u grows so that values stay far from float32's limit (2^128)

/** Bytes of one detector's slot with `bins` seasonal bins (a multiple of 8): 744 with 24 bins. */
export function cyberstrideSlotBytes(bins: number, smean = F_SMEAN): number {
  return Math.ceil(((smean + bins) * 4 + 3 * bins) / 8) * 8;
}

/** Slots per slab for a model in the cache (a few hundred KiB at most per slab). */
const SLAB_CAPACITY = 256;
const ALLOCATORS = new WeakMap<CyberstrideModel, SlabAllocator<CyberstrideModel>>();

function allocatorOf(model: CyberstrideModel): SlabAllocator<CyberstrideModel> {
  let a = ALLOCATORS.get(model);
  if (!a) {
    a = new SlabAllocator(cyberstrideSlotBytes(model.opts.seasonalBins), CACHED.has(model) ? SLAB_CAPACITY : 1, model);
    ALLOCATORS.set(model, a);
  }
  return a;
}

/** The full float64 state vector of the detector being updated (update() is synchronous). */
const S = new Float64Array(BINS);
/** The kind classifier's window of residuals (scratch). */
const WINDOW = new Float64Array(RING_LEN);
/**
 * E|y − ℓ| / σ for Gaussian noise when ℓ is the level member's EWMA (rate 0.5): the residual has sd
 * σ·√(4/3), and E|e| = √(2/π)·sd. The level member's scale divided by it estimates σ, slowly (rate
 * 0.01) and robustly: steadier than Harrison–Stevens' discounted scale, which dips after calm stretches.
 */
const MAD_PER_SD = Math.sqrt(2 / Math.PI) * Math.sqrt(4 / 3);
/** sd / mean absolute deviation for Gaussian noise. */
const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);

/** Rate of the slow EW mean of the ring's slope (memory ≈ 50 readings). */
const SLOPE_RATE = 0.02;
/** Standard error of that slope for unit Gaussian noise: two medians of 5 (sd 0.536 each), 11 readings apart. */
const SLOPE_SE = (Math.SQRT2 * 0.536) / 11;
/** The reading that left the ring at this update (RING_LEN readings back): what the shift reference learns from. */
let leaving = 0;
/**
 * This reading against its time of day's usual value (set by step before decide, 0 until the bin has three readings):
 * (y − m_b) / sd and that sd, max(d_b, σ)·√(π/2) (the bin's mean absolute deviation or the level member's scale).
 */
let seasonZ = 0;
let seasonMean = 0;
let seasonSd = 0;
/** The time since the last reading when this one has a time-of-day distance (the sustained path's step), else 0. */
let seasonDt = 0;

/**
 * The line the series held before a change that is alerted now: the median of the ring's oldest five
 * readings, carried to this reading at the usual slope (the median the reference uses has already
 * moved with a slope's first readings). Needs a full ring (n ≥ RING_LEN).
 */
function oldestLine(st: Float64Array, n: number): number {
  return median5(st, n - RING_LEN) + (RING_LEN - 3) * st[SLOPE_EW]!;
}

/**
 * The median of five consecutive ring values from reading index `idx` (0-based), by a min/max network (seven
 * comparisons; no scratch array, no sort): median3(e, max(min(a, b), min(c, d)), min(max(a, b), max(c, d))).
 */
function median5(st: Float64Array, idx: number): number {
  const a = st[RING + (idx & RING_MASK)]!;
  const b = st[RING + ((idx + 1) & RING_MASK)]!;
  const c = st[RING + ((idx + 2) & RING_MASK)]!;
  const d = st[RING + ((idx + 3) & RING_MASK)]!;
  const e = st[RING + ((idx + 4) & RING_MASK)]!;
  const minAB = a < b ? a : b;
  const maxAB = a < b ? b : a;
  const minCD = c < d ? c : d;
  const maxCD = c < d ? d : c;
  const f = minAB < minCD ? minCD : minAB;
  const g = maxAB < maxCD ? maxAB : maxCD;
  const lo = e < f ? e : f;
  const hi = e < f ? f : e;
  const m = hi < g ? hi : g;
  return lo < m ? m : lo;
}

/** Harrison–Stevens' current slope per reading: Σ p_i β_i over its components. */
function hsSlope(st: Float64Array): number {
  let b = 0;
  for (let i = 0; i < 4; i++) b += st[H.P + i]! * st[H.M + 2 * i + 1]!;
  return b;
}

/** 2^⌊log2 |x|⌋, or 1 for 0: a unit that puts x near 1. */
function pow2Of(x: number): number {
  const ax = abs(x);
  if (!(ax > 0) || !isFiniteNumber(ax)) return 1;
  const e = Math.floor(Math.log2(ax));
  return 2 ** (e < -1000 ? -1000 : e > 1000 ? 1000 : e);
}

/** Makes the four weights at st[at..at+4) sum to one (they are probabilities). */
function renormalise(st: Float64Array, at: number): void {
  const sum = st[at]! + st[at + 1]! + st[at + 2]! + st[at + 3]!;
  if (!(sum > 0)) return;
  for (let i = 0; i < 4; i++) st[at + i] = st[at + i]! / sum;
}

/** Slot → S. */
function load(slab: Slab<CyberstrideModel>, b8: number, hsWarmup: number): void {
  const f64 = slab.f64;
  const f32 = slab.f32;
  const u32 = slab.u32;
  const b4 = 2 * b8;
  const anchor = f64[b8 + W_ANCHOR]!;
  const unit = f64[b8 + W_UNIT]!;
  const count = u32[b4 + U_COUNT]!;
  const rejected = u32[b4 + U_REJ]!;
  const ts = f64[b8 + W_TS]!;
  S[H.LAST_TS] = ts;
  S[H.COUNT] = count;
  S[H.REJECTED] = rejected;
  if (count < hsWarmup) {
    S.fill(0, 0, H.NU + 1);
    S[H.Y0] = anchor;
    S[H.MX] = count > 0 ? (count - 1) / 2 : 0; // the running mean of 0, 1, …, count − 1
    S[H.M2X] = count > 0 ? ((count - 1) * count * (count + 1)) / 12 : 0; // and its sum of squared deviations
    S[H.MY] = f64[b8 + W_MY]!;
    S[H.CXY] = f64[b8 + W_CXY]!;
    S[H.M2Y] = f64[b8 + W_M2Y]!;
  } else {
    for (let i = 0; i < 4; i++) {
      S[H.P + i] = f32[b4 + F_P + i]!;
      S[H.HP + i] = f32[b4 + F_HP + i]!;
      S[H.M + 2 * i] = anchor + unit * f32[b4 + F_M + 2 * i]!;
      S[H.M + 2 * i + 1] = unit * f32[b4 + F_M + 2 * i + 1]!;
      S[H.HM + 2 * i] = anchor + unit * f32[b4 + F_HM + 2 * i]!;
      S[H.HM + 2 * i + 1] = unit * f32[b4 + F_HM + 2 * i + 1]!;
    }
    for (let k = 0; k < 12; k++) {
      S[H.C + k] = f32[b4 + F_C + k]!;
      S[H.HC + k] = f32[b4 + F_HC + k]!;
    }
    // Weights stored as float32 no longer sum to one exactly; a mean Σ p_i m_i of levels near
    // 1e12 would be off by thousands (6e-8 × 1e12). Renormalised in float64.
    renormalise(S, H.P);
    renormalise(S, H.HP);
    const sc = unit * f32[b4 + F_SCALE]!;
    S[H.SCALE] = sc > 0 ? sc : ABS_SCALE_FLOOR; // a scale at the absolute floor underflows float32
    S[H.NU] = f32[b4 + F_NU]!;
  }
  S[COUNT] = count;
  S[LEVEL] = anchor + unit * f32[b4 + F_LEVEL]!;
  S[SCALE] = unit * f32[b4 + F_CSCALE]!;
  S[MIN] = anchor + unit * f32[b4 + F_MIN]!;
  S[MAX] = anchor + unit * f32[b4 + F_MAX]!;
  S[SHIFT_TAIL] = f32[b4 + F_SHIFT_TAIL]!;
  S[REFRACTORY] = u32[b4 + U_REFR]!;
  const drift = f32[b4 + F_DRIFT]!;
  S[DRIFT] = drift > 0 && drift < Infinity ? drift : 0;
  for (let k = 0; k < 9; k++) S[LIK + k] = f32[b4 + F_LIK + k]!;
  S[REJECTED] = rejected;
  S[LAST_TS] = ts;
  S[TAIL] = f32[b4 + F_TAIL]!;
  S[EPISODE] = u32[b4 + U_EPISODE]!;
  S[BASE_F] = anchor + unit * f32[b4 + F_BASE_F]!;
  S[BASE_B] = unit * f32[b4 + F_BASE_B]!;
  S[BASE_SD] = unit * f32[b4 + F_BASE_SD]!;
  S[RUN] = u32[b4 + U_RUN]!;
  S[MAXRUN] = u32[b4 + U_MAXRUN]!;
  for (let k = 0; k < RING_LEN; k++) S[RING + k] = anchor + unit * f32[b4 + F_RING + k]!;
  const kindWord = u32[b4 + U_KIND]!;
  S[KIND] = kindWord & 0xff;
  S[EXT] = (kindWord >>> 16) & 1 ? -((kindWord >>> 8) & 0xff) : (kindWord >>> 8) & 0xff;
  S[SLOPE_EW] = unit * f32[b4 + F_SLOPE_EW]!;
  S[SLOPE_TAIL] = f32[b4 + F_SLOPE_TAIL]!;
  S[SLOPE_TAIL_LAG] = f32[b4 + F_SLOPE_TAIL_LAG]!;
  S[SLOPE_TAIL_GATE] = f32[b4 + F_SLOPE_TAIL_GATE]!;
  S[TAIL_M2] = f32[b4 + F_TAIL_M2]!;
  S[LONG] = anchor + unit * f32[b4 + F_LONG]!;
  S[LONG_M2] = f32[b4 + F_LONG_M2]!;
  S[SH_REF] = anchor + unit * f32[b4 + F_SH_REF]!;
  S[SH_UP] = f32[b4 + F_SH_UP]!;
  S[SH_DN] = f32[b4 + F_SH_DN]!;
  S[SH_SCALE] = unit * f32[b4 + F_SH_SCALE]!;
  S[SH_M4] = f32[b4 + F_SH_M4]!;
  S[SH_AGE] = u32[b4 + U_SH_AGE]!;
  S[SH_REF2] = unit * f32[b4 + F_SH_REF2]!;
  S[SH_PREV] = f32[b4 + F_SH_PREV]!;
  S[SH_RHO] = f32[b4 + F_SH_RHO]!;
  S[TAIL_N] = u32[b4 + U_TAIL_N]!;
  S[SEAS_M4] = f32[b4 + F_SEAS_M4]!;
  S[SEAS_M2] = f32[b4 + F_SEAS_M2]!;
  S[SEAS_N] = kindWord >>> 17;
  S[SU_MEAN] = f32[b4 + F_SU_MEAN]!;
  S[SU_M4] = f32[b4 + F_SU_M4]!;
}

/** S → slot. */
function store(slab: Slab<CyberstrideModel>, b8: number, hsWarmup: number): void {
  const f64 = slab.f64;
  const f32 = slab.f32;
  const u32 = slab.u32;
  const b4 = 2 * b8;
  const count = S[H.COUNT]!;
  f64[b8 + W_TS] = S[H.LAST_TS]!;
  u32[b4 + U_COUNT] = count < U32_MAX ? count : U32_MAX;
  const rej = S[H.REJECTED]!;
  u32[b4 + U_REJ] = rej < U32_MAX ? rej : U32_MAX;
  const anchor = f64[b8 + W_ANCHOR]!;
  const unit = f64[b8 + W_UNIT]!;
  if (!(unit > 0)) return; // nothing accepted yet: every number is still 0
  const inv = 1 / unit;
  if (count < hsWarmup) {
    f64[b8 + W_MY] = S[H.MY]!;
    f64[b8 + W_CXY] = S[H.CXY]!;
    f64[b8 + W_M2Y] = S[H.M2Y]!;
  } else {
    for (let i = 0; i < 4; i++) {
      f32[b4 + F_P + i] = S[H.P + i]!;
      f32[b4 + F_HP + i] = S[H.HP + i]!;
      f32[b4 + F_M + 2 * i] = toF32((S[H.M + 2 * i]! - anchor) * inv);
      f32[b4 + F_M + 2 * i + 1] = toF32(S[H.M + 2 * i + 1]! * inv);
      f32[b4 + F_HM + 2 * i] = toF32((S[H.HM + 2 * i]! - anchor) * inv);
      f32[b4 + F_HM + 2 * i + 1] = toF32(S[H.HM + 2 * i + 1]! * inv);
    }
    for (let k = 0; k < 12; k++) {
      f32[b4 + F_C + k] = toF32(S[H.C + k]!);
      f32[b4 + F_HC + k] = toF32(S[H.HC + k]!);
    }
    f32[b4 + F_SCALE] = toF32(S[H.SCALE]! * inv);
    f32[b4 + F_NU] = S[H.NU]!;
  }
  f32[b4 + F_LEVEL] = toF32((S[LEVEL]! - anchor) * inv);
  f32[b4 + F_CSCALE] = toF32(S[SCALE]! * inv);
  f32[b4 + F_SHIFT_TAIL] = S[SHIFT_TAIL]!;
  // The range is stored rounded outwards, so a value seen before is never a new extreme.
  f32[b4 + F_MIN] = f32Outwards(S[MIN]!, anchor, unit, -1);
  f32[b4 + F_MAX] = f32Outwards(S[MAX]!, anchor, unit, 1);
  u32[b4 + U_REFR] = S[REFRACTORY]!;
  f32[b4 + F_DRIFT] = S[DRIFT]!;
  for (let k = 0; k < 9; k++) f32[b4 + F_LIK + k] = S[LIK + k]!;
  f32[b4 + F_TAIL] = S[TAIL]!;
  u32[b4 + U_EPISODE] = S[EPISODE]!;
  f32[b4 + F_BASE_F] = toF32((S[BASE_F]! - anchor) * inv);
  f32[b4 + F_BASE_B] = toF32(S[BASE_B]! * inv);
  f32[b4 + F_BASE_SD] = toF32(S[BASE_SD]! * inv);
  const run = S[RUN]!;
  u32[b4 + U_RUN] = run < U32_MAX ? run : U32_MAX;
  u32[b4 + U_MAXRUN] = S[MAXRUN]!;
  for (let k = 0; k < RING_LEN; k++) f32[b4 + F_RING + k] = toF32((S[RING + k]! - anchor) * inv);
  const ext = S[EXT]!;
  u32[b4 + U_KIND] = S[KIND]! | ((ext < 0 ? -ext : ext) << 8) | (ext < 0 ? 1 << 16 : 0) | (S[SEAS_N]! << 17);
  f32[b4 + F_SLOPE_EW] = toF32(S[SLOPE_EW]! * inv);
  f32[b4 + F_SLOPE_TAIL] = S[SLOPE_TAIL]!;
  f32[b4 + F_SLOPE_TAIL_LAG] = S[SLOPE_TAIL_LAG]!;
  f32[b4 + F_SLOPE_TAIL_GATE] = S[SLOPE_TAIL_GATE]!;
  f32[b4 + F_TAIL_M2] = S[TAIL_M2]!;
  f32[b4 + F_LONG] = toF32((S[LONG]! - anchor) * inv);
  f32[b4 + F_LONG_M2] = S[LONG_M2]!;
  f32[b4 + F_SH_REF] = toF32((S[SH_REF]! - anchor) * inv);
  f32[b4 + F_SH_UP] = S[SH_UP]!;
  f32[b4 + F_SH_DN] = S[SH_DN]!;
  f32[b4 + F_SH_SCALE] = toF32(S[SH_SCALE]! * inv);
  f32[b4 + F_SH_M4] = S[SH_M4]!;
  const age = S[SH_AGE]!;
  u32[b4 + U_SH_AGE] = age < U32_MAX ? age : U32_MAX;
  f32[b4 + F_SH_REF2] = toF32(S[SH_REF2]! * inv);
  f32[b4 + F_SH_PREV] = S[SH_PREV]!;
  f32[b4 + F_SH_RHO] = S[SH_RHO]!;
  const tailN = S[TAIL_N]!;
  u32[b4 + U_TAIL_N] = tailN < U32_MAX ? tailN : U32_MAX;
  f32[b4 + F_SEAS_M4] = S[SEAS_M4]!;
  f32[b4 + F_SEAS_M2] = S[SEAS_M2]!;
  f32[b4 + F_SU_MEAN] = S[SU_MEAN]!;
  f32[b4 + F_SU_M4] = S[SU_M4]!;
}

/** Sets a larger unit (a power of 2); the numbers that `store` does not rewrite (the seasonal bins) are scaled here. */
function rescale(slab: Slab<CyberstrideModel>, b8: number, bins: number, unit: number): void {
  const f = slab.f64[b8 + W_UNIT]! / unit; // a power of 2 (0 if it underflows: those numbers are negligible now)
  slab.f64[b8 + W_UNIT] = unit;
  for (let k = 2 * b8 + F_TOP; k <= 2 * b8 + F_BOT + TAIL_K; k++) {
    const x = slab.f32[k]!;
    if (x !== F32_MAX && x !== -F32_MAX) slab.f32[k] = x * f;
  }
  const at = 2 * b8 + F_SMEAN;
  for (let b = 0; b < bins; b++) {
    slab.f32[at + b] = slab.f32[at + b]! * f;
    slab.u16[2 * (at + bins) + b] = toBf16(fromBf16(slab.u16[2 * (at + bins) + b]!) * f);
  }
}

export class CyberstrideDetector implements StreamingDetector {
  /** The slab holding this detector's state, and the shared model (options) of every detector in it. */
  private slab: Slab<CyberstrideModel>;
  /** The slot's offset in 8-byte words; −1 once disposed. */
  private b8: number;

  /**
   * @param options user options, or resolved ones (as a snapshot stores them).
   * @param state   a version-1 state (own numbers with one count per bin, and the
   *                Harrison–Stevens vector), as `restoreCyberstride` decodes it.
   */
  constructor(
    options: CyberstrideOptions | ResolvedCyberstrideOptions = {},
    state?: { own: Float64Array; hs: Float64Array },
  ) {
    const model = cyberstrideModel(options);
    const slot = allocatorOf(model).alloc();
    this.slab = slot.slab;
    this.b8 = slot.base8;
    if (state) this.setV1State(state);
  }

  /** Readings rejected so far (non-finite value or timestamp, or a timestamp earlier than the last accepted one). */
  get rejected(): number {
    return this.slab.u32[2 * this.live() + U_REJ]!;
  }

  /** Returns the slot to its slab for reuse. The detector must not be used afterwards (update and snapshot throw). */
  dispose(): void {
    if (this.b8 < 0) return;
    allocatorOf(this.slab.model).free(this.slab, this.b8);
    this.b8 = -1;
  }

  update(value: number, ts: number): DetectorOutput {
    const b8 = this.live();
    const slab = this.slab;
    const model = slab.model;
    const o = model.opts;
    const hsWarmup = model.hs.opts.warmup;
    load(slab, b8, hsWarmup);
    const st = S;
    const accepted = isFiniteNumber(value) && isFiniteNumber(ts) && !(st[COUNT]! > 0 && ts < st[LAST_TS]!);
    if (accepted) {
      const f64 = slab.f64;
      if (st[COUNT] === 0) {
        f64[b8 + W_ANCHOR] = value;
        f64[b8 + W_UNIT] = pow2Of(value);
      } else {
        const r = abs(value - f64[b8 + W_ANCHOR]!) / f64[b8 + W_UNIT]!;
        if (r > RESCALE_AT) rescale(slab, b8, o.seasonalBins, pow2Of(value - f64[b8 + W_ANCHOR]!) * 2 ** -64);
      }
    }
    const out = this.step(value, ts, o, model.hs, b8);
    store(slab, b8, hsWarmup);
    return out;
  }

  /** The update on the full state vector S (and the seasonal bins in the slot). */
  private step(
    value: number,
    ts: number,
    o: Readonly<ResolvedCyberstrideOptions>,
    hsModel: HarrisonStevensModel,
    b8: number,
  ): DetectorOutput {
    const st = S;
    // A clock that stepped back (NTP, a reboot to 1970) must not leave the series unmonitored: the
    // reading is taken as the next one in arrival order; only the time-of-day bin follows the new clock.
    if (isFiniteNumber(ts) && st[COUNT]! > 0 && ts < st[LAST_TS]!) st[LAST_TS] = st[H.LAST_TS] = ts;
    const slope = st[H.COUNT]! >= hsModel.opts.warmup ? hsSlope(st) : 0;
    const hsOut = harrisonStevensUpdate(st, hsModel, value, ts);
    if (!isFiniteNumber(value) || !isFiniteNumber(ts)) {
      st[REJECTED] = st[REJECTED]! + 1;
      return { ...hsOut, score: 0, alert: false, learning: st[COUNT]! <= o.learn };
    }
    const prevTs = st[LAST_TS]!;
    st[LAST_TS] = ts;
    const n = st[COUNT]! + 1;
    st[COUNT] = n;
    const bins = o.seasonalBins;
    const slab = this.slab;
    const binsAt = 2 * b8 + F_SMEAN; // float32 index of the bin means
    // The last RING_LEN values (for the kind classifier) and the run of identical readings.
    const prev = st[RING + ((n + RING_LEN - 2) & RING_MASK)]!;
    leaving = n > RING_LEN ? st[RING + ((n - 1) & RING_MASK)]! : value; // the reading RING_LEN back, leaving the ring
    st[RING + ((n - 1) & RING_MASK)] = value;
    // The ring holds float32 offsets from the anchor: "the same reading" within that rounding.
    if (n > 1 && abs(value - prev) <= 4e-7 * abs(value - slab.f64[b8 + W_ANCHOR]!)) st[RUN] = st[RUN]! + 1;
    else {
      // Runs ending inside an alert's episode are not learnt, except the run that raised a flatline (it often ends
      // there): a flat stretch that recurs (every night, say) is alerted once, not every time.
      if ((st[EPISODE] === 0 || st[KIND] === FLAT_KIND) && st[RUN]! > st[MAXRUN]!) st[MAXRUN] = st[RUN]!;
      st[RUN] = 1;
    }
    if (n === 1) {
      st[LEVEL] = value;
      st[LONG] = value;
      st[SH_REF] = value;
      st[SH_REF2] = 0;
      st[MIN] = value;
      st[MAX] = value;
      emptyTail(slab.f32, 2 * b8);
      insertOrdered(slab, b8, F_TOP, value, 1);
      insertOrdered(slab, b8, F_BOT, value, -1);
      st[TAIL_N] = 1;
      for (let b = 0; b < bins; b++) slab.f32[binsAt + b] = 0; // every bin mean starts at the anchor, this value
      return { ...hsOut, score: 0, alert: false, learning: true };
    }

    // 1. Level and robust scale.
    const level = st[LEVEL]!;
    const e = value - level;
    // a constant series has zero scale; unit noise at 1e12 must stay above it
    const fl = max(1e-13 * abs(level), 1e-300);
    const zA = abs(e) / max(st[SCALE]!, fl);
    // Warm start: the plain mean of |e| at first (from 0 at rate scaleRate it would take hundreds of readings to be
    // right).
    const scale = st[SCALE]! + max(o.scaleRate, 1 / (n - 1)) * (abs(e) - st[SCALE]!);
    st[SCALE] = scale;
    st[LEVEL] = level + o.levelRate * e;
    let x = o.useLevel ? likelihood(o, 0, raw(o, zA)) : -Infinity;
    seasonZ = 0;
    seasonDt = 0;

    // 2. Seasonal (time of day) baseline.
    if (bins > 0) {
      const bin = binOf(ts, bins);
      if (bin !== binOf(prevTs, bins) && st[SEAS_N]! < SEAS_N_CAP) st[SEAS_N] = st[SEAS_N]! + 1;
      const anchor = slab.f64[b8 + W_ANCHOR]!;
      const unit = slab.f64[b8 + W_UNIT]!;
      const mAt = binsAt + bin;
      const dAt = 2 * (binsAt + bins) + bin;
      const nAt = 4 * (binsAt + bins) + 2 * bins + bin;
      const mb = anchor + unit * slab.f32[mAt]!;
      const db = unit * fromBf16(slab.u16[dAt]!);
      const eb = value - mb;
      const nb = slab.u8[nAt]!;
      const sdB = max(db, scale, fl);
      const dt = ts > prevTs ? ts - prevTs : 0; // 0: a reading at the same time as the last (an earlier one is rejected)
      let off = 0;
      if (nb >= 3) {
        seasonSd = sdB * SQRT_HALF_PI;
        // Against this weekday's usual too: the offset of z_s this weekday runs at (a weekend's lower level), learnt
        // from this weekday's readings alone, about the last three such days.
        const wAt = 2 * b8 + F_WEEKDAY + weekdayOf(ts);
        off = slab.f32[wAt]!;
        const zRaw = eb / seasonSd;
        if (dt > 0) slab.f32[wAt] = off + (1 - exp(-dt / WEEKDAY_MS)) * (clampAbs(zRaw, SH_CLAMP) - off);
        seasonZ = zRaw - off;
        seasonMean = mb + off * seasonSd;
        // The sustained path's mean of z_s, weighted by time (a reading that came sooner after the last weighs less).
        seasonDt = dt;
        if (dt > 0) {
          const w = 1 - exp(-dt / SUSTAIN_MS);
          st[SU_MEAN] =
            st[SU_MEAN]! + w * (clampAbs(seasonZ, min(SH_CLAMP, (SU_ONE * SUSTAIN_FLOOR) / w)) - st[SU_MEAN]!);
        }
      }
      // The reading's distance from its time of day's and weekday's usual value: the bin's deviation learns it (a
      // weekend's lower level is no spread of the bin), and the seasonal member scores it.
      const resid = nb < 3 ? eb : eb - off * seasonSd;
      const zB = nb < 3 ? 0 : abs(resid) / sdB;
      const nbNew = nb + 1;
      slab.u8[nAt] = nbNew < COUNT_CAP ? nbNew : COUNT_CAP;
      // seasonalRate per bin's worth of time: a bin of a 5-minute series (12 readings an hour) learns a day's change
      // over days, as an hourly series' does, not within the hour. At least 1/count while the bin is young (its first
      // COUNT_CAP readings); a floor past that (1/35 a reading) let a 5-minute bin take in a third of a day's change
      // within the day.
      const span = dt > 0 ? (dt * bins) / DAY_MS : 1;
      const perTime = span >= 1 ? o.seasonalRate : 1 - exp(span * slab.model.logKeep);
      const a = nb >= COUNT_CAP ? perTime : max(perTime, 1 / nbNew);
      slab.f32[mAt] = toF32((mb + a * eb - anchor) / unit);
      slab.u16[dAt] = toBf16((db + a * (abs(resid) - db)) / unit);
      const xB = likelihood(o, 1, raw(o, zB));
      if (xB > x) x = xB;
    }

    // 3. Harrison–Stevens change probability.
    if (o.useChange) {
      const xH = likelihood(o, 2, hsOut.score);
      if (xH > x) x = xH;
    }

    let score = o.useLikelihood ? normalCdf(x) : x;
    // A new extreme beyond the range seen so far.
    const lo = st[MIN]!;
    const hi = st[MAX]!;
    let extreme = 0; // +1 above the range, −1 below it
    if (o.rangeTolerance > 0 && hi > lo && n > o.rangeWarmup) {
      const tol = (hi - lo) * o.rangeTolerance;
      extreme = value > hi + tol ? 1 : value < lo - tol ? -1 : 0;
      if (extreme !== 0) score = 1;
    }
    if (value > hi) st[MAX] = value;
    if (value < lo) st[MIN] = value;
    // A record far beyond the series' own tail (judged before this reading joins it).
    const tailN = st[TAIL_N]!;
    const logP = o.tailP > 0 && tailN >= o.learn ? tailLogP(slab, b8, value, st[LONG]!, tailN) : 0;
    const tailRecord = logP < 0 && logP < Math.log(o.tailP); // (0: no record; ln tailP < 0, tailP < 1)
    insertOrdered(slab, b8, F_TOP, value, 1);
    insertOrdered(slab, b8, F_BOT, value, -1);
    st[TAIL_N] = tailN + 1;

    if (n <= o.warmup) return { ...hsOut, score: 0, alert: false, learning: true };
    return this.decide(o, hsOut, value, score, scale > fl, slope, n, extreme, max(scale / MAD_PER_SD, fl), tailRecord);
  }

  /**
   * The alert decision on top of the score (README.md, "What is raised"): learning, the score's
   * gate against the forecast and the series' own tail, gross changes, the kind after
   * `classifyAfter` readings, flatlines, and the refractory after a raised alert.
   */
  private decide(
    o: Readonly<ResolvedCyberstrideOptions>,
    hsOut: DetectorOutput,
    value: number,
    rawScore: number,
    varies: boolean,
    slope: number,
    n: number,
    extreme: number,
    noiseSd: number,
    tailRecord: boolean,
  ): DetectorOutput {
    const st = S;
    const f = hsOut.forecast;
    // The reference the decision measures against: the median of the five readings before this one,
    // carried forward three readings at the usual slope. Harrison–Stevens' forecast mean wanders
    // (±3σ on white noise: its step and slope components pull it after every larger reading) and its
    // spread widens right after a surprise, which would hide a second change; the median does neither.
    // In an open episode classified as a slope, its new growth rate: the slope goes on, a further change shows against
    // it.
    const refSlope = st[EPISODE]! > 0 && st[KIND] === SLOPE_KIND ? st[BASE_B]! : st[SLOPE_EW]!;
    const m5 = n >= 5 ? median5(st, n - 5) : value; // the median of the last five readings, this one included
    const ref = f && n > 6 ? median5(st, n - 6) + 3 * refSlope : f ? f.mean : 0;
    // In units of the noise scale (the level member's mean absolute deviation, as a standard deviation).
    const sd = f ? noiseSd : 0;
    const z = f && sd > 0 ? (value - ref) / sd : 0;
    const absZ = abs(z);
    let score = rawScore;
    let alert = false;
    let kind: ChangeKindOrNone = hsOut.kind;
    let probability = hsOut.probability;
    // On an alert row: the reading that carries the evidence and the band it broke.
    let shown = f ? { value, mean: ref, sd } : null;
    const learning = n <= o.learn;

    // The open episode: its kind is decided `classifyAfter` readings after the alert.
    let episode = st[EPISODE]!;
    if (episode > 0) {
      episode++;
      const pending = st[KIND]! >= PENDING;
      if (episode === o.classifyAfter + 1 && st[KIND] === SEASON_BORN) {
        // The readings before it show nothing (the series goes on as it was); against its time of day, a reading still
        // as far out the onset's way is a level that stays away from its usual value (a step), one back at it was a
        // transient. Sure of the kind by how far past 2 sd it still stands, or how far within.
        const still = seasonZ * st[BASE_B]!;
        const stepP = seasonZ === 0 ? 0.5 : normalCdf(still - 2);
        const isStep = stepP >= 0.5;
        const onset = onsetProbability(st);
        st[KIND] = KIND_CODES.indexOf(isStep ? 'step' : 'transient');
        alert = true;
        kind = isStep ? 'step' : 'transient';
        probability = onset * (isStep ? stepP : 1 - stepP);
        shown = seasonZ === 0 ? null : { value, mean: seasonMean, sd: seasonSd };
      } else if (
        episode === o.classifyAfter + 1 &&
        (st[KIND] === 0 || st[KIND] === DRIFT_BORN || st[KIND] === SHIFT_BORN || pending)
      ) {
        const r = WINDOW;
        const base = st[BASE_F]!;
        const b = st[BASE_B]!;
        const bsd = st[BASE_SD]! > 0 ? st[BASE_SD]! : 1;
        const atNow = RING_AT + o.classifyAfter;
        fillWindow(st, n, atNow);
        // A shift alert comes some readings after the shift began (the CUSUM's age at the alert): it is classified
        // there.
        const shiftBorn = st[KIND] === SHIFT_BORN;
        const fit = classifyChange(
          r.subarray(0, atNow + 1),
          shiftBorn ? max(0, RING_AT + 1 - st[SH_AGE]!) : RING_AT,
          o.kindPenalty,
          // A raised alert's kind is judged under the series' own lag-1 correlation (an AR(1) noise makes a step look
          // like a slope to a white-noise fit); a candidate's confirmation, and the probability it states, stay with
          // the white-noise fit that was tuned as an alert decision.
          pending ? 0 : kindRho(st),
        );
        const c =
          st[KIND] === DRIFT_BORN ? withKindPrior(fit, DRIFT_PRIOR) : shiftBorn ? withKindPrior(fit, SHIFT_PRIOR) : fit;
        // The shift: the mean residual after the alert's reading, in the direction of the change.
        // Measured against the reference at the alert (the median of the five readings before it).
        const off = (median5(st, n - 6 - o.classifyAfter) + 3 * b - base) / bsd;
        let shift = 0;
        for (let t = RING_AT + 1; t <= atNow; t++) shift += r[t]! - off;
        shift =
          (abs(shift) / o.classifyAfter) *
          (r[RING_AT]! - off < 0 && shift < 0 ? 1 : r[RING_AT]! - off >= 0 && shift >= 0 ? 1 : -1);
        const shiftTail = st[SHIFT_TAIL]!;
        const dirUp = r[RING_AT]! - off >= 0;
        const seasonKnown = seasonOpen(st, seasonZ, o);
        const confirmed =
          !pending ||
          ((c.kind === 'step' || c.kind === 'slope') &&
            shift >= o.confirmSigmas &&
            shift >= o.shiftTailMult * shiftTail &&
            (!seasonKnown || (dirUp ? seasonZ : -seasonZ) >= SEASON_CONFIRM));
        if (confirmed) {
          // A transient is shown by its one outlying reading, a step by its new level (the mean since), a
          // slope by this reading, each against the line held before the change.
          let post = 0;
          for (let t = RING_AT; t <= atNow; t++) post += r[t]!;
          shown =
            c.kind === 'transient'
              ? { value: st[RING + ((n - 1 - o.classifyAfter) & RING_MASK)]!, mean: base, sd: bsd }
              : c.kind === 'step'
                ? {
                    value: base + b * (o.classifyAfter / 2) + (post / (atNow - RING_AT + 1)) * bsd,
                    mean: base + b * (o.classifyAfter / 2),
                    sd: bsd,
                  }
                : { value, mean: base + b * o.classifyAfter, sd: bsd };
          st[KIND] = KIND_CODES.indexOf(c.kind);
          if (c.kind === 'slope') st[BASE_B] = b + c.rate * bsd; // the new growth rate, per reading
          alert = true; // raised with its kind, or the open alert takes its kind (an update)
          kind = c.kind;
          probability = c.probability * (pending ? 1 : onsetProbability(st));
          if (pending) st[REFRACTORY] = o.refractory;
        } else {
          st[KIND] = 0;
          episode = o.episode; // a candidate without the evidence: over, silently
        }
      }
      if (episode > o.episode) {
        // A slope that is still the story when its episode ends is the new usual growth: one alert, not one per
        // episode.
        if (st[KIND] === SLOPE_KIND) st[SLOPE_EW] = st[BASE_B]!;
        // The level the change led to is where the series now is: the long level starts from it.
        st[LONG] = m5 - st[SLOPE_EW]! * (LONG_SPAN - 1);
        // So does the shift reference line, at its own slope (the median of five sits two readings back),
        // after a raised alert (a candidate that did not confirm raised nothing: its sums go on).
        if (st[REFRACTORY]! > 0) reanchorShift(st, m5);
        episode = 0;
      }
      st[EPISODE] = episode;
    }

    // Score damping only after a raised alert.
    if (st[REFRACTORY]! > 0) {
      st[REFRACTORY] = st[REFRACTORY]! - 1;
      score *= o.damping;
    }

    // T: TAIL_SCALE × the EW fourth-moment root of |z| (≈ 3.95 for Gaussian noise; large for a heavy
    // tail). Smoother than a running maximum, which one lucky reading lifts for thousands of readings.
    const tail = TAIL_SCALE * sqrt(sqrt(st[TAIL]!));
    let gateZ = Infinity; // the |z| a gross change must reach now
    let collecting = episode > 0 && episode <= o.classifyAfter;
    // A new extreme that persists: a reading beyond the range seen so far (the score's new extreme), and within
    // extremeWithin readings one in the same direction at least zGross from the reference. One record is what a heavy
    // tail makes now and then (Student t3: one every few hundred readings, late in a series); a second far reading
    // right after it is a new regime, whatever the series' tail.
    const extAge = abs(st[EXT]!);
    const extDir = st[EXT]! > 0 ? 1 : -1;
    const persisted = extAge > 0 && z * extDir >= o.zGross;
    st[EXT] =
      extreme !== 0 && o.extremeWithin > 0 ? extreme : extAge > 0 && extAge < o.extremeWithin ? st[EXT]! + extDir : 0;
    if (persisted && collecting && st[KIND]! >= PENDING && !learning) {
      // A candidate (the extreme itself, often) waiting for its evidence: the persistence is the evidence. The
      // candidate is dropped and the reading is decided as if none were open (raised below, as a gross change).
      st[KIND] = 0;
      st[EPISODE] = episode = 0;
      collecting = false;
    }
    // The slope of the last RING_LEN readings against its usual value, in standard errors.
    let tB = 0;
    const noise = st[H.SCALE]!;
    if (n >= RING_LEN && noise > 0) {
      // Robust to a single outlier: the medians of the newest and the oldest five readings.
      const at = n - RING_LEN;
      const bLocal = (median5(st, at + 11) - median5(st, at)) / 11;
      tB = (bLocal - st[SLOPE_EW]!) / (noise * SLOPE_SE);
      // While a drift is suspected the usual slope learns four times slower: it must not learn the drift away.
      if (episode === 0)
        st[SLOPE_EW] = st[SLOPE_EW]! + (st[DRIFT] === 0 ? SLOPE_RATE : SLOPE_RATE / 4) * (bLocal - st[SLOPE_EW]!);
    }
    const absB = abs(tB);
    const slopeTail = st[SLOPE_TAIL]!;
    if ((n & RING_MASK) === 0) {
      st[SLOPE_TAIL_GATE] = st[SLOPE_TAIL_LAG]!;
      st[SLOPE_TAIL_LAG] = slopeTail;
    }
    const slopeGateTail = st[SLOPE_TAIL_GATE]! > 0 ? st[SLOPE_TAIL_GATE]! : slopeTail;
    // The long level: where the series was lately (the median of five, slowly). A gentle drift that
    // goes on moves the median away from it faster than the usual slope explains; noise does not.
    const longFrom = o.warmup + RING_LEN;
    const dLong = n > longFrom && sd > 0 ? (m5 - st[LONG]! - st[SLOPE_EW]! * (LONG_SPAN - 1)) / sd : 0;
    st[LONG] = st[LONG]! + max(1 / LONG_SPAN, 1 / n) * (m5 - st[LONG]!);
    let longGate = Infinity;
    // The sustained shift: a two-sided Page CUSUM (in log-likelihood-ratio form) of this reading's
    // distance from a reference line, in that distance's own scale x, prewhitened by its own lag-1
    // autocorrelation ρ: u = (x − ρ·x_prev)/√(1 − ρ²). A persistent noise (AR(1)) wanders far from
    // any slow line, but its innovations do not; a shift δ adds δ/√(1 − ρ²) to u at its onset and
    // δ·√((1 − ρ)/(1 + ρ)) every reading after (white noise, ρ = 0: δ every reading). The reference
    // learns SH_FROZEN times slower once a sum passes SH_FREEZE of cusumLimit: a shift must not teach
    // it that the new level is normal while the evidence mounts.
    const shFrom = longFrom + SH_REF_SPAN;
    // Holt's line through the readings up to RING_LEN back, carried to this reading: a shift is not
    // learnt before it is RING_LEN readings old. Its slope learns slowly (a persistent noise's local
    // trends are noise, and the line is carried RING_LEN + 1 readings).
    const shN = n - RING_LEN;
    const shA = max(1 / SH_REF_SPAN, 1 / max(1, shN));
    const shSlope = st[SH_REF2]!;
    const shRef = st[SH_REF]! + (RING_LEN + 1) * shSlope;
    const shDev = value - shRef;
    const shSd = st[SH_SCALE]! * SQRT_HALF_PI; // mean absolute distance → sd (Gaussian)
    const shX = shSd > 0 ? clampAbs(shDev / shSd, SH_CLAMP) : 0;
    const rho = st[SH_RHO]! < 0 ? 0 : st[SH_RHO]! > SH_RHO_MAX ? SH_RHO_MAX : st[SH_RHO]!;
    // The log-likelihood ratio of a shift of 2·cusumAllowance (in x) that began at some reading τ:
    // its first innovation says d0·u − d0²/2, each later one d1·u − d1²/2, d0 = 2k/√(1 − ρ²),
    // d1 = 2k·√((1 − ρ)/(1 + ρ)); the largest over τ (and 0: no shift) by Page's recursion.
    const shD0 = (2 * o.cusumAllowance) / sqrt(1 - rho * rho);
    const shD1 = 2 * o.cusumAllowance * sqrt((1 - rho) / (1 + rho));
    const shH = o.cusumLimit;
    let shUp = 0;
    let shDn = 0;
    // The sums run outside a raised alert's episode (a candidate waiting for its evidence raised nothing).
    const shRuns = episode === 0 || st[REFRACTORY] === 0;
    if (shRuns && n > shFrom && shSd > 0) {
      const u = clampAbs((shX - rho * st[SH_PREV]!) / sqrt(1 - rho * rho), SH_UCLAMP);
      const goOn = shD1 * u;
      const begin = shD0 * u;
      const upOn = st[SH_UP]! + goOn - (shD1 * shD1) / 2;
      const upNew = begin - (shD0 * shD0) / 2;
      const dnOn = st[SH_DN]! - goOn - (shD1 * shD1) / 2;
      const dnNew = -begin - (shD0 * shD0) / 2;
      shUp = max(0, upOn, upNew);
      shDn = max(0, dnOn, dnNew);
      const newer = shUp >= shDn ? upNew >= upOn && upNew > 0 : dnNew >= dnOn && dnNew > 0;
      st[SH_AGE] = shUp > 0 || shDn > 0 ? (newer ? 1 : st[SH_AGE]! + 1) : 0;
      // A sum that has not reached its gate in SH_MAX_AGE readings is no shift of the kind this path
      // looks for (a slow wander the frozen reference lost): it starts again.
      if (st[SH_AGE]! > SH_MAX_AGE) shUp = shDn = st[SH_AGE] = 0;
    }
    const shC = shUp > shDn ? shUp : shDn;
    st[SH_UP] = shUp;
    st[SH_DN] = shDn;
    if (shN <= 0) {
      st[SH_REF] = value; // the line starts when the ring is full, level where the series is, flat
      st[SH_REF2] = 0;
    } else {
      // While a sum is high, or for a reading far from the line, the line goes on at its slope, learning SH_FROZEN
      // times slower.
      const ahead = st[SH_REF]! + shSlope;
      const e = leaving - ahead;
      const w = shC < SH_FREEZE * shH && !(shSd > 0 && abs(e) > SH_LEARN_X * shSd) ? 1 : SH_FROZEN;
      const level = ahead + w * shA * e;
      st[SH_REF2] = shSlope + w * SH_SLOPE_RATE * (level - st[SH_REF]! - shSlope);
      st[SH_REF] = level;
    }
    if (shRuns && n > longFrom) {
      const ad = abs(shDev);
      const lim = shSd > 0 ? SH_CLAMP * shSd : ad;
      const rate = max(1 / SH_SCALE_SPAN, 1 / (n - longFrom));
      st[SH_SCALE] = st[SH_SCALE]! + rate * ((ad < lim ? ad : lim) - st[SH_SCALE]!);
      if (shSd > 0) st[SH_RHO] = st[SH_RHO]! + rate * (shX * st[SH_PREV]! - st[SH_RHO]!);
    }
    st[SH_PREV] = shX;
    let shGate = Infinity;
    let seasonGate = Infinity;
    const suM = st[SU_MEAN]!;
    const suGate = max(SUSTAIN_FLOOR, o.sustainMult * sqrt(sqrt(st[SU_M4]!)));
    const tailFrom = o.warmup + RING_LEN;
    if (!learning && !alert && !collecting) {
      // Beyond what this series itself does: the largest recent |z|, lifted further for a heavy tail.
      // A young series has seen little of its own tail: its T is inflated by 1 + youth/√n.
      const young = 1 + o.youth / sqrt(n);
      // A heavy tail (kurtosis above tailKnee; Gaussian noise has 3) lifts the gates, more than in
      // proportion: a very heavy tail's sample kurtosis (Student t3: infinite) says less than it is.
      const kurt = kurtosis(st[TAIL]!, st[TAIL_M2]!);
      const heavy = heavyLift(kurt, o);
      const usual = young * tail * heavy;
      // zGross lifted by a moderate tail's kurtosis; not in the refractory after a raised alert, whose own readings
      // lifted the kurtosis (one 10σ step: 3.1 → 4.4) and must not hide a second gross change.
      const zFloor = st[REFRACTORY]! > 0 ? o.zGross : grossFloor(kurt, n - tailFrom, o);
      gateZ = max(zFloor, o.grossTailMult * usual);
      const grossTail = absZ >= zFloor && absZ >= o.grossTailMult * usual;
      // A new extreme that persisted is raised like a gross change (at once, even in the refractory), whatever the tail.
      const gross = grossTail || persisted || (tailRecord && absZ >= o.zGross);
      const scored = st[REFRACTORY] === 0 && rawScore >= o.fireAt && absZ >= o.zGate && absZ >= o.tailMult * usual;
      // Far from its time of day's usual value, beyond what this series' own such distances reach.
      // Its own heavy tail lifts it (the readings' kurtosis need not be this distance's: a daily jump is a huge
      // change against the last readings and none against its time of day). Open after two days' worth of bin changes:
      // its tail must have seen the bins come round again (a steady trend is far from yesterday's value every hour).
      // (Only where the reading has a time-of-day distance: no bin of three readings yet, nothing to judge.)
      seasonGate = seasonOpen(st, seasonZ, o)
        ? max(
            o.zGross,
            o.seasonMult *
              TAIL_SCALE *
              sqrt(sqrt(st[SEAS_M4]!)) *
              young *
              heavyLift(kurtosis(st[SEAS_M4]!, st[SEAS_M2]!), o),
          )
        : Infinity;
      const seasonal =
        o.seasonMult > 0 &&
        !gross &&
        !scored &&
        st[REFRACTORY] === 0 &&
        episode === 0 &&
        n > tailFrom &&
        abs(seasonZ) >= seasonGate;
      const usualSlope = young * slopeGateTail * heavy;
      const sloped =
        !gross &&
        !scored &&
        !seasonal &&
        st[REFRACTORY] === 0 &&
        episode === 0 &&
        absB >= o.zSlope &&
        absB >= o.slopeTailMult * usualSlope;
      // A drift: a slope too gentle for the slope gate that goes on. Page's CUSUM of |t| beyond an
      // allowance (a share of this series' own slope tail) accumulates it reading by reading.
      let drift = 0;
      if (episode === 0 && n >= RING_LEN)
        drift = max(0, st[DRIFT]! + absB - max(o.driftAllowance, o.driftTailShare * usualSlope));
      st[DRIFT] = drift;
      longGate = max(o.zLong, o.longTailMult * sqrt(st[LONG_M2]!) * young * heavy);
      const awayLong = episode === 0 && n > longFrom + LONG_SPAN && abs(dLong) >= longGate;
      // Not lifted by the readings' kurtosis: the sums are of a clamped (±4), prewhitened statistic, and their own
      // tail (E C⁴)^¼ already says what this series' sums reach; with the lift, a spiky series' readings put the gate
      // out of reach of a level shift that every spike-free stretch shows (NAB's ec2_cpu_utilization_53ea38).
      shGate = max(shH, o.cusumTailMult * sqrt(sqrt(st[SH_M4]!))) * young;
      const shifted =
        !gross &&
        !scored &&
        !seasonal &&
        !sloped &&
        st[REFRACTORY] === 0 &&
        episode === 0 &&
        n > shFrom &&
        shC >= shGate &&
        (st[SH_AGE]! >= SH_MIN_AGE || shC >= SH_FAST * shGate);
      // A shift under way in the refractory after an alert is not raised (nothing but a gross change is):
      // the reference restarts where the series is, so it is not raised stale when the refractory ends.
      if (!shifted && st[REFRACTORY]! > 0 && shC >= shGate) reanchorShift(st, m5);
      // A day that runs away from its usual values for hours, beyond this series' own such runs: open once the bins have
      // had a week after their first two days (the tail has seen a weekly pattern: weekends are not news).
      const sustained =
        o.sustainMult > 0 &&
        !gross &&
        !scored &&
        !seasonal &&
        !sloped &&
        !shifted &&
        st[REFRACTORY] === 0 &&
        episode === 0 &&
        seasonZ !== 0 &&
        st[SEAS_N]! >= SUSTAIN_OPEN_DAYS * o.seasonalBins &&
        abs(suM) >= suGate;
      // Past its gate in the refractory after an alert: not raised stale when the refractory ends.
      if (!sustained && st[REFRACTORY]! > 0 && abs(suM) >= suGate) st[SU_MEAN] = 0;
      const drifted =
        !gross &&
        !scored &&
        !sloped &&
        !shifted &&
        !sustained &&
        st[REFRACTORY] === 0 &&
        episode === 0 &&
        (drift >= o.driftLimit || awayLong);
      const candidate =
        !gross &&
        !scored &&
        !sloped &&
        !sustained &&
        !drifted &&
        !shifted &&
        st[REFRACTORY] === 0 &&
        episode === 0 &&
        rawScore >= o.fireAt &&
        absZ >= o.zCandidate;
      if (shifted) {
        // Raised as a `change`; its kind (step-leaning) is decided at the onset the CUSUM's age says.
        alert = true;
        kind = 'change';
        probability = onsetSure(shC / shGate);
        st[EPISODE] = episode = 1;
        st[KIND] = SHIFT_BORN;
        st[BASE_F] = shRef; // the reference, frozen since the shift began: the line before it
        st[BASE_B] = shSlope;
        st[BASE_SD] = shSd;
        st[REFRACTORY] = o.refractory;
        if (score < o.fireAt) score = o.fireAt;
        shown = { value: m5, mean: shRef - 2 * shSlope, sd: shSd };
        if (st[SH_AGE]! >= SH_MIN_AGE) {
          // Old enough that the readings since its onset already show its kind: raised with it (one alert row, not a
          // `change` and its update three readings later). A fast young shift waits for its kind like any other.
          fillWindow(st, n, RING_AT);
          const c = withKindPrior(
            classifyChange(
              WINDOW.subarray(0, RING_AT + 1),
              max(0, RING_AT + 1 - st[SH_AGE]!),
              o.kindPenalty,
              kindRho(st),
            ),
            SHIFT_PRIOR,
          );
          kind = c.kind;
          st[KIND] = KIND_CODES.indexOf(c.kind);
          probability *= c.probability;
          if (c.kind === 'slope') st[BASE_B] = shSlope + c.rate * (shSd > 0 ? shSd : 1);
        }
      } else if (candidate) {
        // Not enough for an alert alone: it becomes one if the next readings confirm a shift.
        episode = 1;
        openEpisode(st, n, ref, PENDING, st[SLOPE_EW]!, sd, 0); // the usual slope: a new one shows against it
      } else if (sloped || drifted) {
        // The baseline is the line through the oldest readings of the ring at the usual slope.
        let a = 0;
        for (let k = 0; k < 6; k++) a += st[RING + ((n - RING_LEN + k) & RING_MASK)]!;
        const b = st[SLOPE_EW]!;
        alert = true;
        kind = 'change';
        // The evidence is the slope, not this reading (Harrison–Stevens' probability of a change in the
        // last three readings is small here): how far the slope's t passed its gate.
        probability = sloped
          ? normalCdf(absB - max(o.zSlope, o.slopeTailMult * usualSlope))
          : max(
              drift >= o.driftLimit ? normalCdf((drift - o.driftLimit) / o.driftAllowance) : 0,
              awayLong ? normalCdf(abs(dLong) - longGate) : 0,
            );
        st[EPISODE] = episode = 1;
        st[KIND] = sloped ? 0 : DRIFT_BORN;
        st[BASE_F] = a / 6 + b * (RING_LEN - 1 - 2.5);
        st[BASE_B] = b;
        st[BASE_SD] = noise;
        st[REFRACTORY] = o.refractory;
        if (score < o.fireAt) score = o.fireAt;
      } else if (seasonal) {
        // Raised as a `change` (classified 3 readings later like any other), shown against its time of day.
        alert = true;
        kind = 'change';
        probability = onsetSure(abs(seasonZ) / seasonGate);
        episode = 1;
        openEpisode(st, n, ref, SEASON_BORN, seasonZ > 0 ? 1 : -1, sd, o.refractory);
        if (score < o.fireAt) score = o.fireAt;
        shown = { value, mean: seasonMean, sd: seasonSd };
      } else if (sustained) {
        // Raised as a step (a level away from its usual for its time of day), shown as the mean of the last hours
        // against its time of day, in units of that mean's own usual size.
        alert = true;
        kind = 'step';
        probability = onsetSure(abs(suM) / suGate);
        episode = 1;
        openEpisode(st, n, ref, STEP_KIND, st[SLOPE_EW]!, sd, o.refractory);
        if (score < o.fireAt) score = o.fireAt;
        const spread = max(sqrt(sqrt(st[SU_M4]!)), SUSTAIN_FLOOR / 8);
        shown = { value: seasonMean + suM * seasonSd, mean: seasonMean, sd: seasonSd * spread };
      } else if (gross || scored) {
        alert = true;
        kind = 'change';
        // How far past the gross gate (onsetSure: 0.71 at the gate, 0.99 at 1.5×), a logistic fit of "this onset was a
        // real change" on the synthetic tuning seeds 1001–1040. A persisting new extreme below the tail's gate: how far
        // past zGross.
        probability = onsetSure(absZ / (grossTail ? max(zFloor, o.grossTailMult * usual) : o.zGross));
        episode = 1;
        openEpisode(st, n, ref, 0, st[SLOPE_EW]!, sd, o.refractory); // the usual slope: a new one shows against it
        if (score < o.fireAt) score = o.fireAt;
      } else if (varies && st[RUN]! === max(o.flatRun, floor(o.flatMult * st[MAXRUN]!) + 1)) {
        alert = true;
        kind = 'flatline';
        shown = null; // the evidence is the run, not a band
        probability = 1 - 2 ** -(st[RUN]! - st[MAXRUN]!);
        st[EPISODE] = episode = o.classifyAfter + 1;
        st[KIND] = KIND_CODES.indexOf('flatline');
        st[REFRACTORY] = o.refractory;
      }
    }
    // The tail learns every reading, but one that raised an alert only up to the gate it passed: a
    // change that recurs stops alerting after a few times, one past big change hides no later one.
    // From the first readings (before the noise scale settles) only once the ring is full; a
    // single |z| counts at most TAIL_CLAMP (so one absurd reading cannot own the average).
    // A raised alert explains what had accumulated. While a `change` waits for its kind, the word holds
    // the onset's probability instead: the kind row states P(a real change) × P(this kind | a change).
    if (alert)
      st[DRIFT] =
        st[EPISODE] === 1 &&
        (st[KIND] === 0 || st[KIND] === DRIFT_BORN || st[KIND] === SHIFT_BORN || st[KIND] === SEASON_BORN)
          ? probability
          : 0;
    // A raised alert explains what the shift sums held (their age stays, for the kind) and the last hours' mean.
    if (alert) st[SH_UP] = st[SH_DN] = st[SU_MEAN] = 0;
    if (!collecting && n > tailFrom) {
      const learnt = min(alert && absZ > gateZ ? gateZ : absZ, TAIL_CLAMP);
      const rate = max(1 - o.tailDecay, 1 / (n - tailFrom));
      st[TAIL] = st[TAIL]! + rate * (learnt * learnt * learnt * learnt - st[TAIL]!);
      st[TAIL_M2] = st[TAIL_M2]! + rate * (learnt * learnt - st[TAIL_M2]!);
      if (seasonZ !== 0) {
        // Likewise the seasonal tail (from the bin's third reading on).
        const zs = min(alert && abs(seasonZ) > seasonGate ? seasonGate : abs(seasonZ), TAIL_CLAMP);
        st[SEAS_M4] = st[SEAS_M4]! + rate * (zs * zs * zs * zs - st[SEAS_M4]!);
        st[SEAS_M2] = st[SEAS_M2]! + rate * (zs * zs - st[SEAS_M2]!);
      }
      if (episode === 0) {
        // Like the tail: a reading that raised an alert counts at most at the gate it passed.
        const dl = min(alert && abs(dLong) > longGate ? longGate : abs(dLong), TAIL_CLAMP);
        st[LONG_M2] = st[LONG_M2]! + max(1 / LONG_M2_SPAN, 1 / (n - tailFrom)) * (dl * dl - st[LONG_M2]!);
        if (n > shFrom) {
          // A sum past the gate counts at most at the gate, whether it raised or waits for its age (SH_MIN_AGE): a
          // young shift's own sums would otherwise lift the gate away from it before it is old enough (NAB's
          // elb_request_count_8c0756). In the refractory (the sums restart there) it counts as it is.
          const sc = min((alert || st[REFRACTORY] === 0) && shC > shGate ? shGate : shC, TAIL_CLAMP);
          st[SH_M4] = st[SH_M4]! + max(1 / SH_M4_SPAN, 1 / (n - shFrom)) * (sc * sc * sc * sc - st[SH_M4]!);
        }
        if (seasonZ !== 0) {
          // Likewise the sustained path's mean, as the shift sums are.
          const sm = min((alert || st[REFRACTORY] === 0) && abs(suM) > suGate ? suGate : abs(suM), TAIL_CLAMP);
          const suRate = max(min(1, seasonDt / SU_TAIL_MS), 1 / (n - tailFrom));
          st[SU_M4] = st[SU_M4]! + suRate * (sm * sm * sm * sm - st[SU_M4]!);
        }
      }
    }
    st[SLOPE_TAIL] = absB > slopeTail * o.tailDecay ? absB : slopeTail * o.tailDecay;
    if (!alert && episode > 0 && st[KIND]! < PENDING) kind = KIND_CODES[st[KIND]!]!;
    // What a 3-reading shift this series makes by itself (a persistent noise, AR(1), makes big ones):
    // the mean of the last three readings against the median of the five before them, every reading.
    if (!collecting && episode === 0 && n > tailFrom && sd > 0) {
      const recent =
        (st[RING + ((n - 1) & RING_MASK)]! + st[RING + ((n - 2) & RING_MASK)]! + st[RING + ((n - 3) & RING_MASK)]!) / 3;
      const shiftNow = abs(recent - median5(st, n - 8) - 5 * st[SLOPE_EW]!) / sd;
      const decayed = st[SHIFT_TAIL]! * o.tailDecay;
      st[SHIFT_TAIL] = shiftNow > decayed ? shiftNow : decayed;
    }
    const clamped = score > 1 ? 1 : score < 0 ? 0 : score;
    if (!alert || !shown) return { score: clamped, kind, probability, forecast: f, alert, learning, sigmas: z };
    const half = 1.96 * shown.sd;
    const sigmas = (shown.value - shown.mean) / shown.sd;
    // A value inside its own band is never presented as a sure anomaly.
    if (abs(sigmas) < 1.96 && probability > 0.5) probability = 0.5;
    const band = { mean: shown.mean, lower: shown.mean - half, upper: shown.mean + half };
    const evidence = { value: shown.value, sigmas, forecast: band };
    return { score: clamped, kind, probability, forecast: f, alert, learning, sigmas: z, evidence };
  }

  snapshot(): CyberstrideState {
    const b8 = this.live();
    const bytes = Buffer.from(this.slab.u8.buffer, this.slab.u8.byteOffset + 8 * b8, this.slab.strideBytes);
    return {
      type: CYBERSTRIDE_TYPE,
      version: CYBERSTRIDE_VERSION,
      options: cloneResolved(this.slab.model.opts),
      state: bytes.toString('base64'),
    };
  }

  /** Overwrites the slot with a version-2 snapshot's bytes; throws a RangeError if a number in it is not finite. */
  setSlotBytes(bytes: Uint8Array): void {
    const b8 = this.live();
    const slab = this.slab;
    if (bytes.length !== slab.strideBytes)
      throw new RangeError(`"state" must hold ${slab.strideBytes} bytes, got ${bytes.length}`);
    slab.u8.set(bytes, 8 * b8);
    const unit = slab.f64[b8 + W_UNIT]!;
    if (!(unit === 0 || (unit > 0 && pow2Of(unit) === unit)))
      throw new RangeError(`"state" holds unit ${unit}, expected 0 or a power of 2`);
    if (!isFiniteNumber(slab.f64[b8 + W_ANCHOR]!)) throw new RangeError('"state" holds a non-finite anchor');
    load(slab, b8, slab.model.hs.opts.warmup);
    for (let k = 0; k < S.length; k++)
      if (!isFiniteNumber(S[k]!)) throw new RangeError(`"state" number ${k} is ${S[k]}, expected a finite number`);
    for (let k = 2 * b8 + F_TOP; k <= 2 * b8 + F_BOT + TAIL_K; k++)
      if (!isFiniteNumber(slab.f32[k]!)) throw new RangeError(`"state" extreme ${k - 2 * b8 - F_TOP} is not finite`);
    for (let w = 0; w < 7; w++)
      if (!isFiniteNumber(slab.f32[2 * b8 + F_WEEKDAY + w]!))
        throw new RangeError(`"state" weekday offset ${w} is not finite`);
    const bins = slab.model.opts.seasonalBins;
    for (let b = 0; b < bins; b++) {
      const at = 2 * b8 + F_SMEAN;
      if (!isFiniteNumber(slab.f32[at + b]!) || !isFiniteNumber(fromBf16(slab.u16[2 * (at + bins) + b]!)))
        throw new RangeError(`"state" seasonal bin ${b} is not finite`);
    }
  }

  /** Converts a version-1 state (float64 vectors) into the slot, rounding to float32 where the slot stores it. */
  private setV1State(state: { own: Float64Array; hs: Float64Array }): void {
    const b8 = this.live();
    const slab = this.slab;
    const bins = slab.model.opts.seasonalBins;
    S.fill(0);
    for (let k = 0; k < HS; k++) S[k] = state.hs[k]!;
    for (let k = 0; k < V1_OWN; k++) S[HS + k] = state.own[k]!;
    S[SHIFT_TAIL] = 0; // version 1 held a level there
    fillDecisionState(S);
    const count = S[COUNT]!;
    if (count > 0) {
      const anchor = state.hs[H.Y0]!; // the first value
      let far = abs(anchor);
      for (const k of [MIN, MAX]) far = max(far, abs(S[k]! - anchor));
      slab.f64[b8 + W_ANCHOR] = anchor;
      slab.f64[b8 + W_UNIT] = pow2Of(far);
      const unit = slab.f64[b8 + W_UNIT]!;
      const at = 2 * b8 + F_SMEAN;
      for (let b = 0; b < bins; b++) {
        slab.f32[at + b] = toF32((state.own[V1_OWN + 2 * b]! - anchor) / unit);
        slab.u16[2 * (at + bins) + b] = toBf16(state.own[V1_OWN + 2 * b + 1]! / unit);
        slab.u8[4 * (at + bins) + 2 * bins + b] = state.own[V1_OWN + 2 * bins + b]!;
      }
    }
    store(slab, b8, slab.model.hs.opts.warmup);
    emptyTail(slab.f32, 2 * b8);
  }

  private live(): number {
    if (this.b8 < 0) throw new Error('cyberstride detector used after dispose(); create a new detector');
    return this.b8;
  }
}

/** The shift reference restarts at m5 (the median of the last five: two readings back), at its slope; its sums at 0. */
function reanchorShift(st: Float64Array, m5: number): void {
  st[SH_REF] = m5 + (2 - RING_LEN) * st[SH_REF2]!; // the line RING_LEN readings back
  st[SH_UP] = st[SH_DN] = st[SH_AGE] = 0;
}

/**
 * ln P(a reading at least as far out as `value`) under a Pareto tail fitted to the series' own TAIL_K + 1 most extreme
 * readings on its side (the slot's F_TOP or F_BOT), the tail index by Hill's estimator: P ≈ (K/N)·(y / y_{K+1})^(−1/ξ),
 * ξ = mean ln(y_i / y_{K+1}), y = distance from `centre`, N = readings seen. An extreme that stands out of a light tail
 * (ξ → 0: readings of about the same size, say bounded spikes) is very unlikely; on a heavy tail (Student t3: ξ ≈ ⅓) a
 * record must be far out. Eight readings make a noisy ξ, and one that comes out low by chance on a heavy tail would
 * raise a false alert: ξ is the larger of this side's and the mean of both sides' (sixteen readings: steadier where
 * the tail is heavy both ways, as noise is; bounded spikes one way and a floor the other keep this side's). 0 (no
 * evidence) for a reading that is no record, or without a tail beyond the centre.
 */
function tailLogP(slab: Slab<CyberstrideModel>, b8: number, value: number, centre: number, n: number): number {
  const f32 = slab.f32;
  const anchor = slab.f64[b8 + W_ANCHOR]!;
  const unit = slab.f64[b8 + W_UNIT]!;
  const side = value > anchor + unit * f32[2 * b8 + F_TOP]! ? 1 : value < anchor + unit * f32[2 * b8 + F_BOT]! ? -1 : 0;
  if (side === 0) return 0;
  const at = 2 * b8 + (side > 0 ? F_TOP : F_BOT);
  const yK = side * (anchor + unit * f32[at + TAIL_K]! - centre);
  const y = side * (value - centre);
  if (!(yK > 0) || !(y > yK)) return 0;
  let xi = hill(f32, at, anchor, unit, centre, side, yK);
  const otherAt = 2 * b8 + (side > 0 ? F_BOT : F_TOP);
  const away = -side * (anchor + unit * f32[otherAt + TAIL_K]! - centre);
  if (away > 0) {
    const both = (xi + hill(f32, otherAt, anchor, unit, centre, side > 0 ? -1 : 1, away)) / 2;
    if (both > xi) xi = both;
  }
  if (!(xi > 0)) return -Infinity;
  return Math.log(TAIL_K / n) - Math.log(y / yK) / xi;
}

/** Hill's estimator over the TAIL_K most extreme readings at f32[at…] beyond the (K+1)th, yK from `centre` (> 0). */
function hill(
  f32: Float32Array,
  at: number,
  anchor: number,
  unit: number,
  centre: number,
  side: 1 | -1,
  yK: number,
): number {
  let xi = 0;
  for (let i = 0; i < TAIL_K; i++) xi += Math.log((side * (anchor + unit * f32[at + i]! - centre)) / yK);
  return xi / TAIL_K;
}

/**
 * Inserts x among the ordered TAIL_K + 1 at the slot's `field` (F_TOP, side 1: largest first; F_BOT, side −1: smallest
 * first) if it belongs there. The first is rounded outwards, like the range: a value seen before is never a record.
 */
function insertOrdered(slab: Slab<CyberstrideModel>, b8: number, field: number, x: number, side: 1 | -1): void {
  const f32 = slab.f32;
  const anchor = slab.f64[b8 + W_ANCHOR]!;
  const unit = slab.f64[b8 + W_UNIT]!;
  const at = 2 * b8 + field;
  if (!(side * x > side * (anchor + unit * f32[at + TAIL_K]!))) return;
  const fx = toF32((x - anchor) / unit);
  let i = at + TAIL_K;
  while (i > at && side * f32[i - 1]! < side * fx) {
    f32[i] = f32[i - 1]!;
    i--;
  }
  // Only the first is read as a bound (a record must pass it); the rest feed Hill's estimator.
  f32[i] = i === at ? f32Outwards(x, anchor, unit, side) : fx;
}

/**
 * x in float32 units from the anchor, rounded outwards (side 1: up, −1: down) so that the stored number, read back, is
 * never inside x: how the range and the most extreme readings are stored (a value seen before is never beyond them).
 */
function f32Outwards(x: number, anchor: number, unit: number, side: 1 | -1): number {
  let f = Math.fround(toF32((x - anchor) / unit));
  for (let k = 0; k < 4 && side * (anchor + unit * f) < side * x; k++) f = side > 0 ? f32Up(f) : f32Down(f);
  return f;
}

/** The series' own extremes, empty (∓F32_MAX units from the anchor: as far out as a slot can say); f4: the slot's float32 index. */
function emptyTail(f32: Float32Array, f4: number): void {
  for (let k = 0; k <= TAIL_K; k++) {
    f32[f4 + F_TOP + k] = -F32_MAX;
    f32[f4 + F_BOT + k] = F32_MAX;
  }
}

/** The kurtosis E x⁴ / (E x²)² of a statistic whose EW moments are m4 and m2 (0 without a second moment yet). */
function kurtosis(m4: number, m2: number): number {
  return m2 > 0 ? m4 / (m2 * m2) : 0;
}

/**
 * How much a heavy tail lifts a gate: max(1, kurtosis / tailKnee)^tailPower (no pow for a light tail: most readings).
 */
function heavyLift(kurt: number, o: Readonly<ResolvedCyberstrideOptions>): number {
  const k = kurt / o.tailKnee;
  return k > 1 ? k ** o.tailPower : 1;
}

/**
 * The least |z| of a gross change: zGross, lifted by the readings' excess kurtosis κ − 3 once the tail has seen
 * KURT_FROM readings: zGross·(1 + KURT_LIFT·√(κ − 3)). The T gate (a fourth-moment root lifted above tailKnee) is set
 * for tails like Student t3's, whose sample kurtosis is huge; a moderate tail's sample kurtosis stays near 4–5 (t6,
 * Poisson with mean 1) while its 1-in-10⁵ reading is 7–9 of its noise σ, and each raised 1–2.5 per 10k at zGross.
 * Before KURT_FROM readings the kurtosis is too noisy to say this (Gaussian: sd √(24/n)); youth lifts T meanwhile.
 */
function grossFloor(kurt: number, seen: number, o: Readonly<ResolvedCyberstrideOptions>): number {
  const excess = seen > KURT_FROM ? kurt - 3 : 0;
  return excess > 0 ? o.zGross * (1 + KURT_LIFT * sqrt(excess)) : o.zGross;
}

/** The seasonal bin (of `bins` in a UTC day) of a timestamp in ms. */
function binOf(ts: number, bins: number): number {
  // ts mod DAY_MS without %, which on a double is a slow remainder call; exact for integer timestamps below 2^53
  // (beyond, the rounding of ts / DAY_MS may put phase just outside [0, 1): clamped).
  const phase = (ts - floor(ts / DAY_MS) * DAY_MS) / DAY_MS;
  return phase > 0 ? min(bins - 1, floor(phase * bins)) : 0;
}

/** The UTC weekday of a timestamp in ms, 0 for Sunday (1970-01-01 was a Thursday). */
function weekdayOf(ts: number): number {
  const w = (floor(ts / DAY_MS) + 4) % 7;
  return w < 0 ? w + 7 : w;
}

/**
 * The kind classifier's window (WINDOW): the ring's readings as residuals from the line held before the alert (BASE_F at
 * the alert's reading, BASE_B per reading, in units of BASE_SD), this reading at position `atNow` and the alert's at
 * RING_AT; 0 where the ring has no reading.
 */
function fillWindow(st: Float64Array, n: number, atNow: number): void {
  const base = st[BASE_F]!;
  const b = st[BASE_B]!;
  const bsd = st[BASE_SD]! > 0 ? st[BASE_SD]! : 1;
  const last = n - 1; // this reading's ring index is last % RING_LEN
  for (let t = 0; t < RING_LEN; t++) {
    const back = atNow - t;
    WINDOW[t] =
      back >= 0 && back < RING_LEN && last - back >= 0
        ? (st[RING + ((last - back) & RING_MASK)]! - (base + b * (t - RING_AT))) / bsd
        : 0;
  }
}

/** The lag-1 correlation a raised alert's kind is judged under: the shift path's, or 0 (white) below KIND_RHO_MIN. */
function kindRho(st: Float64Array): number {
  return st[SH_RHO]! < KIND_RHO_MIN ? 0 : min(st[SH_RHO]!, SH_RHO_MAX);
}

/**
 * Whether the time-of-day baseline can judge this reading: it has a z_s (its bin has 3 readings) and the readings have
 * entered another bin 2 × seasonalBins times (two days: the bins have come round).
 */
function seasonOpen(st: Float64Array, seasonZ: number, o: ResolvedCyberstrideOptions): boolean {
  return seasonZ !== 0 && st[SEAS_N]! >= 2 * o.seasonalBins;
}

/**
 * An alert's episode (or a candidate's) opens: its kind code, and the line the classifier measures against — through
 * the ring's oldest readings (`ref` before the ring is full) at slope `baseB`, in units of `sd`.
 */
function openEpisode(
  st: Float64Array,
  n: number,
  ref: number,
  kindCode: number,
  baseB: number,
  sd: number,
  refractory: number,
): void {
  st[EPISODE] = 1;
  st[KIND] = kindCode;
  st[BASE_F] = n >= RING_LEN ? oldestLine(st, n) : ref;
  st[BASE_B] = baseB;
  st[BASE_SD] = sd;
  st[REFRACTORY] = refractory;
}

/**
 * While a `change` waits for its kind, the DRIFT word holds its onset's probability (set where it was raised): the
 * factor the kind row's probability takes from it (1 if the word holds none).
 */
function onsetProbability(st: Float64Array): number {
  return st[DRIFT]! > 0 && st[DRIFT]! <= 1 ? st[DRIFT]! : 1;
}

/** x clamped to [−c, c]. */
function clampAbs(x: number, c: number): number {
  return x > c ? c : x < -c ? -c : x;
}

function raw(o: Readonly<ResolvedCyberstrideOptions>, z: number): number {
  return 1 - exp((-z * z) / (2 * o.rawSoftness));
}

/** Feeds raw score r of member k; returns its standardised short-mean deviation x_k. */
function likelihood(o: Readonly<ResolvedCyberstrideOptions>, k: number, r: number): number {
  const st = S;
  const at = LIK + 3 * k;
  const seen = st[COUNT]! - 1; // raw scores fed, this one included
  const a = o.longRate > 1 / seen ? o.longRate : 1 / seen; // warm start: plain mean and variance at first
  const s = st[at]! + o.shortRate * (r - st[at]!);
  const d = r - st[at + 1]!;
  const m = st[at + 1]! + a * d;
  const v = (1 - a) * (st[at + 2]! + a * d * d);
  st[at] = s;
  st[at + 1] = m;
  st[at + 2] = v;
  if (!o.useLikelihood) return r;
  return (s - m) / sqrt(v > 1e-6 ? v : 1e-6);
}

const { min } = Math;

/** Own state length for a number of seasonal bins in a version-1 snapshot (one count per bin). */
export function cyberstrideStateLength(bins: number): number {
  return V1_OWN + 3 * bins;
}

function decodeCounts(text: unknown, bins: number, where: string): number[] {
  if (typeof text !== 'string' || text.length !== bins || !/^[0-9a-z]*$/.test(text)) {
    throw new RangeError(`${where}: "counts" must be ${bins} base-36 digits`);
  }
  return Array.from(text, (c) => parseInt(c, 36));
}

function isResolved(o: CyberstrideOptions | ResolvedCyberstrideOptions): o is ResolvedCyberstrideOptions {
  const hs = (o as ResolvedCyberstrideOptions).harrisonStevens;
  return (
    typeof hs === 'object' &&
    hs !== null &&
    Array.isArray((hs as ResolvedHarrisonStevensOptions).prior) &&
    OWN_KEYS.every((k) => typeof o[k] === 'number')
  );
}

function cloneResolved(o: Readonly<ResolvedCyberstrideOptions>): ResolvedCyberstrideOptions {
  const own = {} as Record<OwnKey, number>;
  for (const k of OWN_KEYS) own[k] = o[k];
  const h = o.harrisonStevens;
  return {
    ...own,
    harrisonStevens: {
      warmup: h.warmup,
      varianceDiscount: h.varianceDiscount,
      relativeNoiseFloor: h.relativeNoiseFloor,
      prior: [...h.prior],
      observation: [...h.observation],
      level: [...h.level],
      slope: [...h.slope],
    },
  };
}

/**
 * Rebuilds a detector from `snapshot()` output (possibly through JSON): version 2 continues
 * exactly; version 1 (float64 vectors, earlier builds) continues from its numbers rounded as
 * version 2 stores them. Throws a RangeError saying what is wrong.
 */
export function restoreCyberstride(state: DetectorState): CyberstrideDetector {
  const s = state as Partial<CyberstrideState> & Partial<CyberstrideStateV1>;
  const where = 'cyberstride snapshot';
  if (typeof s.options !== 'object' || s.options === null) throw new RangeError(`${where}: missing "options"`);
  // Every version: a snapshot written before an option existed (tailPower came within version 3) takes its default.
  s.options = withDefaults(s.options);
  const problem = checkCyberstrideOptions(s.options);
  if (problem) throw new RangeError(`${where}: bad options: ${problem}`);
  const bins = s.options.seasonalBins;
  if (s.version === 1) {
    const own = new Float64Array(cyberstrideStateLength(bins));
    own.set(decodeFloat64(s.state, V1_OWN + 2 * bins, `${where}: "state"`));
    own.set(decodeCounts(s.counts, bins, where), V1_OWN + 2 * bins);
    const hs = decodeFloat64(s.hs, HARRISON_STEVENS_STATE_LENGTH, `${where}: "hs"`);
    return new CyberstrideDetector(s.options, { own, hs });
  }
  if (typeof s.state !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s.state))
    throw new RangeError(`${where}: "state" must be a base64 string`);
  const d = new CyberstrideDetector(s.options);
  try {
    // Each older layout is brought up one version at a time (2 and 3 both convert to 4).
    const v = s.version;
    let slot: Uint8Array = Buffer.from(s.state, 'base64');
    if (v === 2) slot = slotV2toV4(slot, bins);
    if (v === 3) slot = slotV3toV4(slot, bins);
    if (v === 2 || v === 3 || v === 4) slot = slotV4toV5(slot, bins);
    if (v === 2 || v === 3 || v === 4 || v === 5) slot = slotV5toV6(slot, bins);
    if (v === 2 || v === 3 || v === 4 || v === 5 || v === 6) slot = slotV6toV7(slot, bins);
    if (v === 2 || v === 3 || v === 4 || v === 5 || v === 6 || v === 7) slot = slotV7toV8(slot, bins);
    if (v === 2 || v === 3 || v === 4 || v === 5 || v === 6 || v === 7 || v === 8) slot = slotV8toV9(slot, bins);
    d.setSlotBytes(slot);
  } catch (err) {
    d.dispose();
    throw new RangeError(`${where}: ${(err as Error).message}`, { cause: err });
  }
  return d;
}

/** Options of an earlier version: options it lacked take their defaults, options it had that are gone are dropped. */
function withDefaults(o: ResolvedCyberstrideOptions): ResolvedCyberstrideOptions {
  const out = { ...o } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (k !== 'harrisonStevens' && !(k in CYBERSTRIDE_DEFAULTS)) delete out[k];
  for (const k of OWN_KEYS) if (out[k] === undefined) out[k] = CYBERSTRIDE_DEFAULTS[k];
  return out as ResolvedCyberstrideOptions;
}

/** T = TAIL_SCALE·(E|z|⁴)^¼: 3·3^¼ ≈ 3.95 for Gaussian noise, about the largest |z| of a few thousand readings. */
const TAIL_SCALE = 3;
const TAIL_CLAMP = 1000;
/**
 * The gross floor's lift per √(excess kurtosis) and the readings of tail it waits for (grossFloor): chosen on Student
 * t4–t12, Poisson with means 0.5–4 and Laplace noise, 20 seeds of 10,000 one-minute readings (the least lift keeping t4–t8
 * within the budget: 0.6 left t5 at 0.50, t4 at 0.55); the synthetic suite's t6 and poisson1 families came from them.
 */
const KURT_LIFT = 0.8;
const KURT_FROM = 500;
/** Where the tail state of a converted snapshot starts: E|z|⁴ of Gaussian noise (3). */
const TYPICAL_M4 = 3;
/** |z| a Gaussian series' ring slope reaches now and then. */
const TYPICAL_TAIL = 3.5;
/**
 * The long gate's mean square in a converted snapshot: high (rms 2), so a restored series is not alerted before it
 * learns its own.
 */
const TYPICAL_LONG_M2 = 4;
/**
 * The shift scale of a converted snapshot, from the level member's (a random walk's distance from a slow level is
 * larger: it learns its own)…
 */
const TYPICAL_SH_SCALE = 1.5;
/**
 * …and its gate's fourth moment: high (root 8, a gate of 23), so a restored series is not alerted before it learns its
 * own.
 */
const TYPICAL_SH_M4 = 4096;
/** The seasonal path's tail in a converted snapshot: high likewise (root 8: a gate of 24 × seasonMult). */
const TYPICAL_SEAS_M4 = 4096;
/** The sustained path's tail in a converted snapshot: high (root 2, a gate of 4 at sustainMult 2) until it learns. */
const TYPICAL_SU_M4 = 16;
/** Bin changes counted (kind word bits 17–30); the seasonal path opens after two days' worth (2 × seasonalBins). */
const SEAS_N_CAP = 2 ** 14 - 1;

/** The alert decision's state for a snapshot of a version without it: no slope in the ring, typical tails. */
function fillDecisionState(st: Float64Array): void {
  for (let k = 0; k < RING_LEN; k++) st[RING + k] = st[LEVEL]!;
  st[TAIL] = TYPICAL_M4;
  st[TAIL_M2] = 1;
  st[SLOPE_TAIL] = TYPICAL_TAIL;
  st[DRIFT] = 0; // a version-1 state held readings since firing here
  st[LONG] = st[LEVEL]!;
  st[LONG_M2] = TYPICAL_LONG_M2;
  st[SH_REF] = st[LEVEL]!;
  st[SH_REF2] = 0;
  st[SH_UP] = st[SH_DN] = st[SH_AGE] = 0;
  st[SH_SCALE] = st[SCALE]! * TYPICAL_SH_SCALE;
  st[SH_M4] = TYPICAL_SH_M4;
  st[TAIL_N] = 0; // the slot's own extremes are emptied by setV1State
  st[SEAS_M4] = TYPICAL_SEAS_M4;
  st[SEAS_M2] = 1;
  st[SEAS_N] = 0;
  st[SU_MEAN] = 0;
  st[SU_M4] = TYPICAL_SU_M4;
}

/**
 * An older slot in a wider layout: its numbers up to the bins (at `from`, in float32 units) where they were, `fill`
 * setting the fields the old layout lacked (seen as float32; the rest start at 0), and its bins moved to `to`. A slot of
 * the wrong length comes back as it is (setSlotBytes names the wrong length).
 */
function widenSlot(
  old: Uint8Array,
  bins: number,
  from: number,
  to: number,
  fill: (f32: Float32Array) => void = () => {},
): Uint8Array {
  if (old.length !== cyberstrideSlotBytes(bins, from)) return old;
  const out = new Uint8Array(cyberstrideSlotBytes(bins, to));
  out.set(old.subarray(0, 4 * from));
  fill(new Float32Array(out.buffer, out.byteOffset, out.length / 4));
  out.set(old.subarray(4 * from, 4 * from + 7 * bins), 4 * to);
  return out;
}

/** A version-2 slot in the version-4 layout: the same numbers, the alert decision's fields zero (no episode open). */
function slotV2toV4(v2: Uint8Array, bins: number): Uint8Array {
  return widenSlot(v2, bins, V2_SMEAN, V4_SMEAN, (f32) => {
    f32[F_SHIFT_TAIL] = 0; // version 2 held a level there
    f32[F_DRIFT] = 0; // and readings since firing here
    for (let k = 0; k < RING_LEN; k++) f32[F_RING + k] = f32[F_LEVEL]!; // no slope until real readings fill the ring
    f32[F_TAIL] = TYPICAL_M4;
    f32[F_TAIL_M2] = 1;
    f32[F_SLOPE_TAIL] = TYPICAL_TAIL;
    f32[F_LONG] = f32[F_LEVEL]!;
    f32[F_LONG_M2] = TYPICAL_LONG_M2;
  });
}

/**
 * A version-3 slot in the version-4 layout: the long level starts at the level, its gate high (it learns the series'
 * own within a few thousand readings).
 */
function slotV3toV4(v3: Uint8Array, bins: number): Uint8Array {
  return widenSlot(v3, bins, V3_SMEAN, V4_SMEAN, (f32) => {
    f32[F_LONG] = f32[F_LEVEL]!;
    f32[F_LONG_M2] = TYPICAL_LONG_M2;
  });
}

/**
 * A version-4 slot in the version-5 layout: the shift reference starts at the level, its sums at 0, its gate high (it
 * learns the series' own).
 */
function slotV4toV5(v4: Uint8Array, bins: number): Uint8Array {
  return widenSlot(v4, bins, V4_SMEAN, V5_SMEAN, (f32) => {
    f32[F_SH_REF] = f32[F_LEVEL]!; // the slope (F_SH_REF2) starts at 0
    f32[F_SH_SCALE] = f32[F_CSCALE]! * TYPICAL_SH_SCALE;
    f32[F_SH_M4] = TYPICAL_SH_M4;
  });
}

/**
 * A version-5 slot in the version-6 layout: the series' own extremes start empty, seen by no reading (the record
 * path waits until they have seen `learn` readings).
 */
function slotV5toV6(v5: Uint8Array, bins: number): Uint8Array {
  return widenSlot(v5, bins, V5_SMEAN, V6_SMEAN, (f32) => emptyTail(f32, 0));
}

/**
 * A version-6 slot in the version-7 layout: the seasonal path's tail starts high (TYPICAL_SEAS_M4), so a restored
 * series is not alerted there before it learns its own.
 */
function slotV6toV7(v6: Uint8Array, bins: number): Uint8Array {
  return widenSlot(v6, bins, V6_SMEAN, V7_SMEAN, (f32) => {
    f32[F_SEAS_M4] = TYPICAL_SEAS_M4;
    f32[F_SEAS_M2] = 1;
  });
}

/** A version-7 slot in the version-8 layout: the sustained path's mean 0, its tail high (TYPICAL_SU_M4). */
function slotV7toV8(v7: Uint8Array, bins: number): Uint8Array {
  return widenSlot(v7, bins, V7_SMEAN, V8_SMEAN, (f32) => {
    f32[F_SU_M4] = TYPICAL_SU_M4; // the mean (F_SU_MEAN) starts at 0
  });
}

/** A version-8 slot in the version-9 layout: the weekday offsets at 0 (every weekday as usual until it learns). */
function slotV8toV9(v8: Uint8Array, bins: number): Uint8Array {
  return widenSlot(v8, bins, V8_SMEAN, F_SMEAN);
}
