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
 *                 m_b ← m_b + a e_b, d_b ← d_b + a(|e_b| − d_b), a = max(a_s, 1/n_b)
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
 * During the first `warmup` readings the score is 0. O(1) time per reading. In memory a detector
 * is a slot of 464 bytes (24 bins) in a slab shared with other detectors of the same options
 * (`slab.ts`; float64 timestamp and anchor, float32 numbers, bf16 bin deviations, uint8 bin
 * counts; layout below) and a 40-byte object: about 0.5 KiB resident (README.md). The snapshot
 * is that slot in base64 (version 2, about 1 KiB of JSON with the options).
 *
 * @example
 *   const d = new CyberstrideDetector();
 *   for (let t = 0; t < 120; t++) d.update(100 + noise(), t * 1000);   // noise ±2
 *   d.update(160, 120_000);   // score 1 (a new extreme), kind 'transient' or 'step'
 *   d.update(160, 121_000);   // score stays ≥ fireAt while HS confirms: kind 'step'
 */
import type { ChangeKindOrNone, DetectorOutput, DetectorState } from './detector.js';
import type { StreamingDetector } from './detector.js';
import { decodeFloat64, encodeFloat64 } from './float64-codec.js';
import { f32Down, f32Up, fromBf16, SlabAllocator, toBf16, toF32, type Slab } from './slab.js';
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
export const CYBERSTRIDE_VERSION = 2;

export interface CyberstrideOptions {
  /** Readings before any non-zero score (≥ 1). */
  warmup?: number;
  /** EWMA rate of the level a_ℓ. */
  levelRate?: number;
  /** EW rate of the mean absolute deviation a_σ. */
  scaleRate?: number;
  /** Time-of-day bins of the seasonal baseline (0 turns it off, at most 96). */
  seasonalBins?: number;
  /** EW rate a_s of each seasonal bin's mean and deviation. */
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
  /** Readings damped after firing. */
  refractory?: number;
  /** Factor applied to the score during the refractory readings. */
  damping?: number;
  /** Readings after firing in which a confirmed step or slope is not damped. */
  confirm?: number;
  /** Posterior probability of the step or slope above which a confirmation is not damped. */
  confirmProbability?: number;
  /** A confirmation must also stay this many scales σ away from the level before firing. */
  confirmSigmas?: number;
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
  confirm: 3,
  confirmProbability: 0.5,
  confirmSigmas: 10,
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
const SINCE_FIRE = HS + 6; // readings since the detector last fired
const LIK = HS + 7; // 3 members × (short mean, long mean, long variance)
const REJECTED = HS + 16;
const LAST_TS = HS + 17;
const FIRE_LEVEL = HS + 18; // the level ℓ just before the detector last fired
const OWN_BINS = 19; // own state: per bin mean, mean absolute deviation; then the bin counts (capped at COUNT_CAP)
const BINS = HS + OWN_BINS;
const COUNT_CAP = 35; // past 1/seasonalRate readings a bin's count no longer matters; fits one base-36 digit
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
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
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
  for (const k of OWN_KEYS) if (typeof o[k] !== 'number' || !isFiniteNumber(o[k])) return `${k} must be a finite number, got ${String(o[k])}`;
  const rate = (k: OwnKey) => (o[k] > 0 && o[k] <= 1 ? null : `${k} must be in (0, 1], got ${o[k]}`);
  const int = (k: OwnKey, lo: number, hi: number) => (Number.isInteger(o[k]) && o[k] >= lo && o[k] <= hi ? null : `${k} must be an integer in [${lo}, ${hi}], got ${o[k]}`);
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
    int('confirm', 0, 1e7) ??
    int('useLevel', 0, 1) ??
    int('useChange', 0, 1) ??
    int('useLikelihood', 0, 1) ??
    (typeof o.harrisonStevens === 'object' && o.harrisonStevens !== null ? checkResolvedOptions(o.harrisonStevens, true) : 'harrisonStevens options missing')
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
    model = Object.freeze({ opts: Object.freeze({ ...own, harrisonStevens: hs.opts as ResolvedHarrisonStevensOptions }), hs });
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
const F_FIRE = 62;
const U_REFR = 63;
const U_SINCE = 64;
const F_LIK = 65; // 9
const F_SMEAN = 74; // seasonal bin means (float32), then their deviations (bf16), then counts (uint8)
const U32_MAX = 4294967295;
const ABS_SCALE_FLOOR = 1e-300;
const RESCALE_AT = 2 ** 100; // |x − a|/u beyond this: u grows so that values stay far from float32's limit (2^128)

/** Bytes of one detector's slot with `bins` seasonal bins (a multiple of 8): 464 with 24 bins. */
export function cyberstrideSlotBytes(bins: number): number {
  return Math.ceil(((F_SMEAN + bins) * 4 + 3 * bins) / 8) * 8;
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

/** 2^⌊log2 |x|⌋, or 1 for 0: a unit that puts x near 1. */
function pow2Of(x: number): number {
  const ax = abs(x);
  if (!(ax > 0) || !isFiniteNumber(ax)) return 1;
  const e = Math.floor(Math.log2(ax));
  return 2 ** (e < -1000 ? -1000 : e > 1000 ? 1000 : e);
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
    const sc = unit * f32[b4 + F_SCALE]!;
    S[H.SCALE] = sc > 0 ? sc : ABS_SCALE_FLOOR; // a scale at the absolute floor underflows float32
    S[H.NU] = f32[b4 + F_NU]!;
  }
  S[COUNT] = count;
  S[LEVEL] = anchor + unit * f32[b4 + F_LEVEL]!;
  S[SCALE] = unit * f32[b4 + F_CSCALE]!;
  S[MIN] = anchor + unit * f32[b4 + F_MIN]!;
  S[MAX] = anchor + unit * f32[b4 + F_MAX]!;
  S[FIRE_LEVEL] = anchor + unit * f32[b4 + F_FIRE]!;
  S[REFRACTORY] = u32[b4 + U_REFR]!;
  S[SINCE_FIRE] = u32[b4 + U_SINCE]!;
  for (let k = 0; k < 9; k++) S[LIK + k] = f32[b4 + F_LIK + k]!;
  S[REJECTED] = rejected;
  S[LAST_TS] = ts;
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
  f32[b4 + F_FIRE] = toF32((S[FIRE_LEVEL]! - anchor) * inv);
  // The range is stored rounded outwards, so a value seen before is never a new extreme.
  const lo = S[MIN]!;
  let fLo = Math.fround(toF32((lo - anchor) * inv));
  for (let k = 0; k < 4 && anchor + unit * fLo > lo; k++) fLo = f32Down(fLo);
  f32[b4 + F_MIN] = fLo;
  const hi = S[MAX]!;
  let fHi = Math.fround(toF32((hi - anchor) * inv));
  for (let k = 0; k < 4 && anchor + unit * fHi < hi; k++) fHi = f32Up(fHi);
  f32[b4 + F_MAX] = fHi;
  u32[b4 + U_REFR] = S[REFRACTORY]!;
  const since = S[SINCE_FIRE]!;
  u32[b4 + U_SINCE] = since < U32_MAX ? since : U32_MAX;
  for (let k = 0; k < 9; k++) f32[b4 + F_LIK + k] = S[LIK + k]!;
}

/** Sets a larger unit (a power of 2); the numbers that `store` does not rewrite (the seasonal bins) are scaled here. */
function rescale(slab: Slab<CyberstrideModel>, b8: number, bins: number, unit: number): void {
  const f = slab.f64[b8 + W_UNIT]! / unit; // a power of 2 (0 if it underflows: those numbers are negligible now)
  slab.f64[b8 + W_UNIT] = unit;
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
  constructor(options: CyberstrideOptions | ResolvedCyberstrideOptions = {}, state?: { own: Float64Array; hs: Float64Array }) {
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
  private step(value: number, ts: number, o: Readonly<ResolvedCyberstrideOptions>, hsModel: HarrisonStevensModel, b8: number): DetectorOutput {
    const st = S;
    const hsOut = harrisonStevensUpdate(st, hsModel, value, ts);
    if (!isFiniteNumber(value) || !isFiniteNumber(ts) || (st[COUNT]! > 0 && ts < st[LAST_TS]!)) {
      st[REJECTED] = st[REJECTED]! + 1;
      return { ...hsOut, score: 0, alert: false, learning: st[COUNT]! <= o.warmup };
    }
    st[LAST_TS] = ts;
    const n = st[COUNT]! + 1;
    st[COUNT] = n;
    const bins = o.seasonalBins;
    const slab = this.slab;
    const binsAt = 2 * b8 + F_SMEAN; // float32 index of the bin means
    if (n === 1) {
      st[LEVEL] = value;
      st[MIN] = value;
      st[MAX] = value;
      for (let b = 0; b < bins; b++) slab.f32[binsAt + b] = 0; // every bin mean starts at the anchor, this value
      return { ...hsOut, score: 0, alert: false, learning: true };
    }

    // 1. Level and robust scale.
    const level = st[LEVEL]!;
    const e = value - level;
    const fl = max(1e-9 * abs(level), 1e-300);
    const zA = abs(e) / max(st[SCALE]!, fl);
    const scale = st[SCALE]! + o.scaleRate * (abs(e) - st[SCALE]!);
    st[SCALE] = scale;
    st[LEVEL] = level + o.levelRate * e;
    let x = o.useLevel ? likelihood(o, 0, raw(o, zA)) : -Infinity;

    // 2. Seasonal (time of day) baseline.
    if (bins > 0) {
      const phase = (((ts % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
      const bin = min(bins - 1, floor(phase * bins));
      const anchor = slab.f64[b8 + W_ANCHOR]!;
      const unit = slab.f64[b8 + W_UNIT]!;
      const mAt = binsAt + bin;
      const dAt = 2 * (binsAt + bins) + bin;
      const nAt = 4 * (binsAt + bins) + 2 * bins + bin;
      const mb = anchor + unit * slab.f32[mAt]!;
      const db = unit * fromBf16(slab.u16[dAt]!);
      const eb = value - mb;
      const nb = slab.u8[nAt]!;
      const zB = nb < 3 ? 0 : abs(eb) / max(db, scale, fl);
      const nbNew = nb + 1;
      slab.u8[nAt] = nbNew < COUNT_CAP ? nbNew : COUNT_CAP;
      const a = max(o.seasonalRate, 1 / nbNew);
      slab.f32[mAt] = toF32((mb + a * eb - anchor) / unit);
      slab.u16[dAt] = toBf16((db + a * (abs(eb) - db)) / unit);
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
    if (o.rangeTolerance > 0 && hi > lo && n > o.rangeWarmup) {
      const tol = (hi - lo) * o.rangeTolerance;
      if (value > hi + tol || value < lo - tol) score = 1;
    }
    if (value > hi) st[MAX] = value;
    if (value < lo) st[MIN] = value;

    if (n <= o.warmup) return { ...hsOut, score: 0, alert: false, learning: true };

    // Refractory damping after firing, except while a step or slope is being confirmed.
    const since = st[SINCE_FIRE]! + 1;
    st[SINCE_FIRE] = since;
    if (st[REFRACTORY]! > 0) {
      st[REFRACTORY] = st[REFRACTORY]! - 1;
      const confirming =
        since <= o.confirm &&
        (hsOut.kind === 'step' || hsOut.kind === 'slope') &&
        hsOut.probability > o.confirmProbability &&
        abs(value - st[FIRE_LEVEL]!) >= o.confirmSigmas * max(scale, fl);
      if (!confirming) score *= o.damping;
      else {
        if (score < o.fireAt) score = o.fireAt; // the confirmation reaches the threshold, so the alert learns the kind
        st[SINCE_FIRE] = o.confirm; // one confirmation per firing
      }
    } else if (score >= o.fireAt && o.refractory > 0) {
      st[REFRACTORY] = o.refractory;
      st[SINCE_FIRE] = 0;
      st[FIRE_LEVEL] = level;
    }
    const clamped = score > 1 ? 1 : score < 0 ? 0 : score;
    return { score: clamped, kind: hsOut.kind, probability: hsOut.probability, forecast: hsOut.forecast, alert: clamped >= o.fireAt && hsOut.kind !== 'none', learning: false };
  }

  snapshot(): CyberstrideState {
    const b8 = this.live();
    const bytes = Buffer.from(this.slab.u8.buffer, this.slab.u8.byteOffset + 8 * b8, this.slab.strideBytes);
    return { type: CYBERSTRIDE_TYPE, version: CYBERSTRIDE_VERSION, options: cloneResolved(this.slab.model.opts), state: bytes.toString('base64') };
  }

  /** Overwrites the slot with a version-2 snapshot's bytes; throws a RangeError if a number in it is not finite. */
  setSlotBytes(bytes: Uint8Array): void {
    const b8 = this.live();
    const slab = this.slab;
    if (bytes.length !== slab.strideBytes) throw new RangeError(`"state" must hold ${slab.strideBytes} bytes, got ${bytes.length}`);
    slab.u8.set(bytes, 8 * b8);
    const unit = slab.f64[b8 + W_UNIT]!;
    if (!(unit === 0 || (unit > 0 && pow2Of(unit) === unit))) throw new RangeError(`"state" holds unit ${unit}, expected 0 or a power of 2`);
    if (!isFiniteNumber(slab.f64[b8 + W_ANCHOR]!)) throw new RangeError('"state" holds a non-finite anchor');
    load(slab, b8, slab.model.hs.opts.warmup);
    for (let k = 0; k < S.length; k++) if (!isFiniteNumber(S[k]!)) throw new RangeError(`"state" number ${k} is ${S[k]}, expected a finite number`);
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
    for (let k = 0; k < HS; k++) S[k] = state.hs[k]!;
    for (let k = 0; k < OWN_BINS; k++) S[HS + k] = state.own[k]!;
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
        slab.f32[at + b] = toF32((state.own[OWN_BINS + 2 * b]! - anchor) / unit);
        slab.u16[2 * (at + bins) + b] = toBf16(state.own[OWN_BINS + 2 * b + 1]! / unit);
        slab.u8[4 * (at + bins) + 2 * bins + b] = state.own[OWN_BINS + 2 * bins + b]!;
      }
    }
    store(slab, b8, slab.model.hs.opts.warmup);
  }

  private live(): number {
    if (this.b8 < 0) throw new Error('cyberstride detector used after dispose(); create a new detector');
    return this.b8;
  }
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
  return OWN_BINS + 3 * bins;
}

function decodeCounts(text: unknown, bins: number, where: string): number[] {
  if (typeof text !== 'string' || text.length !== bins || !/^[0-9a-z]*$/.test(text)) {
    throw new RangeError(`${where}: "counts" must be ${bins} base-36 digits`);
  }
  return Array.from(text, (c) => parseInt(c, 36));
}

function isResolved(o: CyberstrideOptions | ResolvedCyberstrideOptions): o is ResolvedCyberstrideOptions {
  const hs = (o as ResolvedCyberstrideOptions).harrisonStevens;
  return typeof hs === 'object' && hs !== null && Array.isArray((hs as ResolvedHarrisonStevensOptions).prior) && OWN_KEYS.every((k) => typeof o[k] === 'number');
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
  const problem = checkCyberstrideOptions(s.options);
  if (problem) throw new RangeError(`${where}: bad options: ${problem}`);
  const bins = s.options.seasonalBins;
  if (s.version === 1) {
    const own = new Float64Array(cyberstrideStateLength(bins));
    own.set(decodeFloat64(s.state, OWN_BINS + 2 * bins, `${where}: "state"`));
    own.set(decodeCounts(s.counts, bins, where), OWN_BINS + 2 * bins);
    const hs = decodeFloat64(s.hs, HARRISON_STEVENS_STATE_LENGTH, `${where}: "hs"`);
    return new CyberstrideDetector(s.options, { own, hs });
  }
  if (typeof s.state !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s.state)) throw new RangeError(`${where}: "state" must be a base64 string`);
  const d = new CyberstrideDetector(s.options);
  try {
    d.setSlotBytes(Buffer.from(s.state, 'base64'));
  } catch (err) {
    d.dispose();
    throw new RangeError(`${where}: ${(err as Error).message}`);
  }
  return d;
}
