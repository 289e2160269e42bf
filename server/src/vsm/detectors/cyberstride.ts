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
 * During the first `warmup` readings the score is 0. O(1) time per reading; state is
 * 19 + 3·bins + 59 numbers (under 1.9 KiB as a JSON snapshot with 24 bins). In memory a detector
 * is one array of 59 + 19 + 2·bins + ⌈bins/8⌉ doubles (the bin counts packed 8 to a number) and
 * a reference to options shared by every detector built with the same ones (`cyberstrideModel`):
 * about 1.1 KiB of heap, 1.4 KiB resident, with 24 bins (README.md).
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
import { newStateVector, type StateVector } from './state-vector.js';
import {
  checkResolvedOptions,
  HARRISON_STEVENS_STATE_LENGTH,
  harrisonStevensModel,
  harrisonStevensUpdate,
  numbersKey,
  resolveHarrisonStevensOptions,
  type HarrisonStevensModel,
  type HarrisonStevensOptions,
  type ResolvedHarrisonStevensOptions,
} from './harrison-stevens.js';

export const CYBERSTRIDE_TYPE = 'cyberstride';
export const CYBERSTRIDE_VERSION = 1;

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

// State vector layout: ONE array of doubles per detector (state-vector.ts): the Harrison–Stevens
// member's state comes first, at [0, HS), and Cyberstride's own state follows at the offsets below.
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
// In memory the bin counts are packed COUNTS_PER_WORD to a number, 6 bits each (exact integers
// below 2^48); snapshots and the constructor's `state.own` keep one number per bin.
const COUNTS_PER_WORD = 8;
const COUNT_BASE = 64;
const COUNT_SHIFT = [1, 64, 4096, 262144, 16777216, 1073741824, 68719476736, 4398046511104];
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
    if (key !== null && MODELS.size < MODEL_CACHE_LIMIT) MODELS.set(key, model);
  }
  if (isDefault) defaultModel = model;
  return model;
}

export class CyberstrideDetector implements StreamingDetector {
  private readonly opts: Readonly<ResolvedCyberstrideOptions>;
  private readonly hs: HarrisonStevensModel;
  /** Harrison–Stevens state at [0, HS), own state from HS on. */
  private readonly st: StateVector;

  constructor(options: CyberstrideOptions | ResolvedCyberstrideOptions = {}, state?: { own: Float64Array; hs: Float64Array }) {
    const model = cyberstrideModel(options);
    this.opts = model.opts;
    this.hs = model.hs;
    const bins = this.opts.seasonalBins;
    const st = newStateVector(BINS + 2 * bins + countWords(bins));
    if (state) {
      for (let k = 0; k < HS; k++) st[k] = state.hs[k]!;
      for (let k = 0; k < OWN_BINS + 2 * bins; k++) st[HS + k] = state.own[k]!;
      for (let b = 0; b < bins; b++) {
        const at = BINS + 2 * bins + floor(b / COUNTS_PER_WORD);
        st[at] = st[at]! + state.own[OWN_BINS + 2 * bins + b]! * COUNT_SHIFT[b % COUNTS_PER_WORD]!;
      }
    }
    this.st = st;
  }

  /** Readings rejected so far (non-finite value or timestamp, or a timestamp earlier than the last accepted one). */
  get rejected(): number {
    return this.st[REJECTED]!;
  }

  update(value: number, ts: number): DetectorOutput {
    const st = this.st;
    const o = this.opts;
    const hsOut = harrisonStevensUpdate(st, this.hs, value, ts);
    if (!isFiniteNumber(value) || !isFiniteNumber(ts) || (st[COUNT]! > 0 && ts < st[LAST_TS]!)) {
      st[REJECTED] = st[REJECTED]! + 1;
      return { ...hsOut, score: 0 };
    }
    st[LAST_TS] = ts;
    const n = st[COUNT]! + 1;
    st[COUNT] = n;
    const bins = o.seasonalBins;
    if (n === 1) {
      st[LEVEL] = value;
      st[MIN] = value;
      st[MAX] = value;
      for (let b = 0; b < bins; b++) st[BINS + 2 * b] = value;
      return { ...hsOut, score: 0 };
    }

    // 1. Level and robust scale.
    const level = st[LEVEL]!;
    const e = value - level;
    const fl = max(1e-9 * abs(level), 1e-300);
    const zA = abs(e) / max(st[SCALE]!, fl);
    const scale = st[SCALE]! + o.scaleRate * (abs(e) - st[SCALE]!);
    st[SCALE] = scale;
    st[LEVEL] = level + o.levelRate * e;
    let x = o.useLevel ? this.likelihood(0, this.raw(zA)) : -Infinity;

    // 2. Seasonal (time of day) baseline.
    if (bins > 0) {
      const phase = (((ts % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
      const bin = min(bins - 1, floor(phase * bins));
      const at = BINS + 2 * bin;
      const countAt = BINS + 2 * bins + floor(bin / COUNTS_PER_WORD);
      const shift = COUNT_SHIFT[bin % COUNTS_PER_WORD]!;
      const word = st[countAt]!;
      const eb = value - st[at]!;
      const nb = floor(word / shift) % COUNT_BASE;
      const zB = nb < 3 ? 0 : abs(eb) / max(st[at + 1]!, scale, fl);
      const nbNew = nb + 1;
      st[countAt] = word + ((nbNew < COUNT_CAP ? nbNew : COUNT_CAP) - nb) * shift;
      const a = max(o.seasonalRate, 1 / nbNew);
      st[at] = st[at]! + a * eb;
      st[at + 1] = st[at + 1]! + a * (abs(eb) - st[at + 1]!);
      const xB = this.likelihood(1, this.raw(zB));
      if (xB > x) x = xB;
    }

    // 3. Harrison–Stevens change probability.
    if (o.useChange) {
      const xH = this.likelihood(2, hsOut.score);
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

    if (n <= o.warmup) return { ...hsOut, score: 0 };

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
    return { score: score > 1 ? 1 : score < 0 ? 0 : score, kind: hsOut.kind as ChangeKindOrNone, probability: hsOut.probability, forecast: hsOut.forecast };
  }

  snapshot(): CyberstrideState {
    return {
      type: CYBERSTRIDE_TYPE,
      version: CYBERSTRIDE_VERSION,
      options: cloneResolved(this.opts),
      state: encodeFloat64(this.st.slice(HS, BINS + 2 * this.opts.seasonalBins)),
      counts: unpackCounts(this.st, this.opts.seasonalBins).map((c) => c.toString(36)).join(''),
      hs: encodeFloat64(this.st.slice(0, HS)),
    };
  }

  private raw(z: number): number {
    return 1 - exp((-z * z) / (2 * this.opts.rawSoftness));
  }

  /** Feeds raw score r of member k; returns its standardised short-mean deviation x_k. */
  private likelihood(k: number, r: number): number {
    const st = this.st;
    const at = LIK + 3 * k;
    const seen = st[COUNT]! - 1; // raw scores fed, this one included
    const a = this.opts.longRate > 1 / seen ? this.opts.longRate : 1 / seen; // warm start: plain mean and variance at first
    const s = st[at]! + this.opts.shortRate * (r - st[at]!);
    const d = r - st[at + 1]!;
    const m = st[at + 1]! + a * d;
    const v = (1 - a) * (st[at + 2]! + a * d * d);
    st[at] = s;
    st[at + 1] = m;
    st[at + 2] = v;
    if (!this.opts.useLikelihood) return r;
    return (s - m) / sqrt(v > 1e-6 ? v : 1e-6);
  }
}

const { min } = Math;

/** Words holding the packed counts of `bins` seasonal bins. */
function countWords(bins: number): number {
  return Math.ceil(bins / COUNTS_PER_WORD);
}

/** The seasonal bin counts, one number per bin. */
function unpackCounts(st: StateVector, bins: number): number[] {
  const counts: number[] = [];
  for (let b = 0; b < bins; b++) counts.push(floor(st[BINS + 2 * bins + floor(b / COUNTS_PER_WORD)]! / COUNT_SHIFT[b % COUNTS_PER_WORD]!) % COUNT_BASE);
  return counts;
}

/** Own state length for a number of seasonal bins, as `state.own` of the constructor holds it (one count per bin). */
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

/** Rebuilds a detector from `snapshot()` output (possibly through JSON); throws a RangeError saying what is wrong. */
export function restoreCyberstride(state: DetectorState): CyberstrideDetector {
  const s = state as Partial<CyberstrideState>;
  const where = 'cyberstride snapshot';
  if (typeof s.options !== 'object' || s.options === null) throw new RangeError(`${where}: missing "options"`);
  const problem = checkCyberstrideOptions(s.options);
  if (problem) throw new RangeError(`${where}: bad options: ${problem}`);
  const bins = s.options.seasonalBins;
  const own = new Float64Array(cyberstrideStateLength(bins));
  own.set(decodeFloat64(s.state, OWN_BINS + 2 * bins, `${where}: "state"`));
  own.set(decodeCounts(s.counts, bins, where), OWN_BINS + 2 * bins);
  const hs = decodeFloat64(s.hs, HARRISON_STEVENS_STATE_LENGTH, `${where}: "hs"`);
  return new CyberstrideDetector(s.options, { own, hs });
}
