/**
 * Synthetic series with known ground truth, for measuring what a streaming detector RAISES:
 * null families (no event: every alert is false) and event families (one step, slope or transient
 * of a stated size on a stated base). Pure and seeded: `generateFamily(name, seed)` returns the
 * same series on every run and platform.
 *
 * Definitions (σ = the sd of the base's noise, `Series.sigma`):
 * - step:      from the event row on, the level is shifted by sign·size·σ and stays shifted
 *              (`end` = the last row).
 * - slope:     from the event row on, the level rises (sign +1) or falls by size·σ/10 per reading,
 *              so the shift is size·σ/10 at the event row and reaches size·σ after 10 readings; it
 *              goes on rising to the series end (a change of growth rate, `end` = the last row).
 * - transient: the event row alone is displaced by sign·size·σ (`end` = `start`).
 * - shift:     a sustained moderate step (kind 'step'): shifted by sign·size·σ for `shiftHold` = 90
 *              readings, then back (`end` = start + 89); sizes 3, 4, 5σ; detected if alerted within
 *              `shiftWithin` = 60 readings of its start (`SyntheticEvent.detectWithin`). Its base noise
 *              is its own stream (not the step families').
 * On AR(1) noise σ is the marginal sd 1/√(1−φ²) ≈ 2.29 (what a plot of the series shows), not the
 * unit innovation sd; on the daily cycle σ is the unit noise, not the 5σ cycle.
 *
 * Events start uniformly in rows [1000, 2000) of a 3,000-row series (after a 1,000-row learning
 * stretch, with 1,000 rows after), with a random sign. For one seed every event family shares the
 * start and the sign, and every size of a kind on a base shares the base noise (paired across
 * sizes): comparisons between sizes are not blurred by different noise.
 *
 * @example
 *   const s = generateFamily('step-white-10', 3);
 *   s.events[0]; // { kind: 'step', start: 1xxx, end: 2999, sizeSigma: 10, sign: ±1 }
 *   s.values[s.events[0].start] - s.values[s.events[0].start - 1]; // ≈ ±10
 */
import { seededRandom, type SeededRandom } from './seeded-random.js';

export type EventKind = 'step' | 'slope' | 'transient';

export interface SyntheticEvent {
  kind: EventKind;
  /** Row where the event's effect begins. */
  start: number;
  /** Last row (inclusive) of the event's effect, or the series' last row if it never ends. */
  end: number;
  /** Size in units of the base noise sd (positive; the direction is `sign`). */
  sizeSigma: number;
  sign: 1 | -1;
  /** Readings after `start` within which an alert row detects it, when not the kind's usual window (evaluate.ts). */
  detectWithin?: number;
}

export interface Series {
  /** The family's name, e.g. 'null-white' or 'step-ar1-5'. */
  name: string;
  values: Float64Array;
  /** Reading times, ms since the Unix epoch. */
  times: Float64Array;
  /** Empty for null families; exactly one for event families. */
  events: SyntheticEvent[];
  /** The sd of the base's noise, the unit of `sizeSigma`. */
  sigma: number;
}

/** Monday 2024-01-01 00:00 UTC: every series starts here. */
export const SYNTHETIC_EPOCH_MS = Date.UTC(2024, 0, 1);

export const SYNTHETIC = Object.freeze({
  nullLength: 10_000, // readings per null-family series
  eventLength: 3_000, // readings per event-family series
  learningRows: 1_000, // no event before this row
  eventStartSpan: 1_000, // events start in [learningRows, learningRows + eventStartSpan)
  stepMs: 60_000, // one reading a minute…
  dailyStepMs: 300_000, // …except the daily cycle: one every 5 minutes
  ar1Phi: 0.9,
  poissonMean: 4,
  dailyAmplitude: 5, // σ, peak of the daily sine
  weekendDrop: 3, // σ, Saturday and Sunday (UTC) sit this much lower
  dayEffectSd: 1, // σ, the daily-days family's level per day (marginal sd)…
  dayEffectPhi: 0.5, // …and its correlation from one day to the next
  trendPerReading: 0.01, // σ per reading
  bigLevel: 1e12,
  eventSizes: Object.freeze([3, 5, 10, 20] as const),
  shiftSizes: Object.freeze([3, 4, 5] as const), // σ, the sustained-shift families
  shiftHold: 90, // readings a shift lasts
  shiftWithin: 60, // readings after its start within which an alert detects it
});

type BaseName =
  | 'white'
  | 't3'
  | 'ar1'
  | 'poisson4'
  | 'daily'
  | 'daily-30m'
  | 'daily-hourly'
  | 'daily-days'
  | 'trend'
  | '1e12'
  | 't6'
  | 'poisson1'
  | 'white-hourly'
  | 't3-hourly';
interface Base {
  /** Noise sd: the σ of events on this base. */
  sigma: number;
  stepMs: number;
  fill(rnd: SeededRandom, times: Float64Array, out: Float64Array): void;
}

const DAY_MS = 86_400_000;

const BASES: Readonly<Record<BaseName, Base>> = {
  white: { sigma: 1, stepMs: SYNTHETIC.stepMs, fill: (r, _t, out) => fillNormal(r, out) },
  t3: {
    sigma: 1,
    stepMs: SYNTHETIC.stepMs,
    fill: (r, _t, out) => {
      for (let i = 0; i < out.length; i++) out[i] = studentT(r, 3) / Math.sqrt(3); // Var t_ν = ν/(ν−2) = 3
    },
  },
  ar1: {
    sigma: 1 / Math.sqrt(1 - SYNTHETIC.ar1Phi ** 2),
    stepMs: SYNTHETIC.stepMs,
    fill: (r, _t, out) => {
      const phi = SYNTHETIC.ar1Phi;
      let x = r.normal() / Math.sqrt(1 - phi * phi); // start in the stationary distribution
      for (let i = 0; i < out.length; i++) {
        out[i] = x;
        x = phi * x + r.normal();
      }
    },
  },
  poisson4: {
    sigma: Math.sqrt(SYNTHETIC.poissonMean),
    stepMs: SYNTHETIC.stepMs,
    fill: (r, _t, out) => {
      for (let i = 0; i < out.length; i++) out[i] = poisson(r, SYNTHETIC.poissonMean);
    },
  },
  daily: {
    sigma: 1,
    stepMs: SYNTHETIC.dailyStepMs,
    fill: fillDaily,
  },
  // The same cycle at the cadences a council's or a cooperative's data often comes at (null families only).
  'daily-30m': { sigma: 1, stepMs: 30 * 60_000, fill: fillDaily },
  'daily-hourly': { sigma: 1, stepMs: 60 * 60_000, fill: fillDaily },
  // Real days differ: the half-hourly cycle with a level per day (Gaussian, AR(1) from day to day), so a day that runs
  // away from its usual values is no news unless it runs further than this series' days do.
  'daily-days': { sigma: 1, stepMs: 30 * 60_000, fill: fillDailyDays },
  trend: {
    sigma: 1,
    stepMs: SYNTHETIC.stepMs,
    fill: (r, _t, out) => {
      for (let i = 0; i < out.length; i++) out[i] = SYNTHETIC.trendPerReading * i + r.normal();
    },
  },
  // Neighbours of the families above, added when a probe beyond them (2026-12-08) found the budget held only on the
  // suite's own tail, count and cadence: a moderate tail (Student t6: 2.6 per 10k), sparse counts (Poisson, mean 1:
  // 1.7) and hourly readings (white 0.6, t3 2.7, through the sustained path, which the 1-minute families never open).
  t6: {
    sigma: 1,
    stepMs: SYNTHETIC.stepMs,
    fill: (r, _t, out) => {
      for (let i = 0; i < out.length; i++) out[i] = studentT(r, 6) / Math.sqrt(1.5); // Var t_6 = 6/4
    },
  },
  poisson1: {
    sigma: 1,
    stepMs: SYNTHETIC.stepMs,
    fill: (r, _t, out) => {
      for (let i = 0; i < out.length; i++) out[i] = poisson(r, 1);
    },
  },
  'white-hourly': { sigma: 1, stepMs: 60 * 60_000, fill: (r, _t, out) => fillNormal(r, out) },
  't3-hourly': {
    sigma: 1,
    stepMs: 60 * 60_000,
    fill: (r, _t, out) => {
      for (let i = 0; i < out.length; i++) out[i] = studentT(r, 3) / Math.sqrt(3);
    },
  },
  '1e12': {
    sigma: 1,
    stepMs: SYNTHETIC.stepMs,
    fill: (r, _t, out) => {
      for (let i = 0; i < out.length; i++) out[i] = SYNTHETIC.bigLevel + r.normal();
    },
  },
};

/**
 * The noise-free daily-and-weekly pattern at time `ms`: amplitude·sin(2π·time-of-day) (5σ unless given), `weekendDrop`
 * (3σ unless given) lower on Saturdays and Sundays (UTC).
 *
 * @example dailyCycle(Date.UTC(2024, 0, 1, 6)) // 5: Monday 06:00, the daily peak
 */
export function dailyCycle(
  ms: number,
  amplitude: number = SYNTHETIC.dailyAmplitude,
  weekendDrop: number = SYNTHETIC.weekendDrop,
): number {
  const dayFrac = (((ms % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
  const weekday = new Date(ms).getUTCDay(); // 0 Sunday … 6 Saturday
  return amplitude * Math.sin(2 * Math.PI * dayFrac) - (weekday === 0 || weekday === 6 ? weekendDrop : 0);
}

export type FamilyGroup = 'null' | 'event';
export interface FamilySpec {
  name: string;
  group: FamilyGroup;
  base: BaseName;
  /** Event families only. */
  kind?: EventKind;
  /** Event families only, in σ. */
  size?: number;
  /** Shift families: readings the step lasts (else it lasts to the series' end). */
  hold?: number;
}

function eventFamilies(): FamilySpec[] {
  const out: FamilySpec[] = [];
  const bases: Array<[EventKind, BaseName[]]> = [
    ['step', ['white', 'ar1', 'daily']],
    ['slope', ['white']],
    ['transient', ['white']],
  ];
  for (const [kind, bs] of bases) {
    for (const base of bs)
      for (const size of SYNTHETIC.eventSizes)
        out.push({ name: `${kind}-${base}-${size}`, group: 'event', base, kind, size });
  }
  for (const base of ['white', 'ar1', 'daily'] as const) {
    for (const size of SYNTHETIC.shiftSizes)
      out.push({ name: `shift-${base}-${size}`, group: 'event', base, kind: 'step', size, hold: SYNTHETIC.shiftHold });
  }
  return out;
}

/** Every family, null families first. */
export const FAMILIES: readonly FamilySpec[] = Object.freeze([
  ...(
    [
      'white',
      't3',
      'ar1',
      'poisson4',
      'daily',
      'daily-30m',
      'daily-hourly',
      'daily-days',
      'trend',
      '1e12',
      't6',
      'poisson1',
      'white-hourly',
      't3-hourly',
    ] as const
  ).map((base): FamilySpec => ({
    name: `null-${base}`,
    group: 'null',
    base,
  })),
  ...eventFamilies(),
]);

export const FAMILY_NAMES: readonly string[] = Object.freeze(FAMILIES.map((f) => f.name));

export function familySpec(name: string): FamilySpec {
  const f = FAMILIES.find((x) => x.name === name);
  if (!f) throw new RangeError(`unknown synthetic family "${name}"; known: ${FAMILY_NAMES.join(', ')}`);
  return f;
}

/** The series of family `name` for `seed` (any integer). Throws a RangeError for an unknown family. */
export function generateFamily(name: string, seed: number): Series {
  const spec = familySpec(name);
  const base = BASES[spec.base];
  const n = spec.group === 'null' ? SYNTHETIC.nullLength : SYNTHETIC.eventLength;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = SYNTHETIC_EPOCH_MS + i * base.stepMs;
  const values = new Float64Array(n);
  if (spec.group === 'null') {
    base.fill(seededRandom(streamSeed(spec.name, seed)), times, values);
    return { name, values, times, events: [], sigma: base.sigma };
  }
  const kind = spec.kind!;
  // For one seed: sizes share the base noise, all event families the start and sign (see the header).
  base.fill(
    seededRandom(streamSeed(`event-base:${spec.base}:${spec.hold !== undefined ? 'shift' : kind}`, seed)),
    times,
    values,
  );
  const placing = seededRandom(streamSeed('event-place', seed));
  const start = SYNTHETIC.learningRows + Math.floor(placing.uniform() * SYNTHETIC.eventStartSpan);
  const sign: 1 | -1 = placing.uniform() < 0.5 ? -1 : 1;
  const event: SyntheticEvent =
    spec.hold !== undefined
      ? {
          kind,
          start,
          end: Math.min(start + spec.hold - 1, n - 1),
          sizeSigma: spec.size!,
          sign,
          detectWithin: SYNTHETIC.shiftWithin,
        }
      : { kind, start, end: kind === 'transient' ? start : n - 1, sizeSigma: spec.size!, sign };
  const effect = eventEffect(event, base.sigma, n);
  for (let i = start; i < n; i++) values[i] = values[i]! + effect[i]!;
  return { name, values, times, events: [event], sigma: base.sigma };
}

/**
 * What an event adds to its base, row by row (0 before `start`).
 *
 * @example
 *   eventEffect({ kind: 'slope', start: 2, end: 5, sizeSigma: 10, sign: -1 }, 1, 6)
 *   // [0, 0, -1, -2, -3, -4]
 */
export function eventEffect(event: SyntheticEvent, sigma: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const size = event.sign * event.sizeSigma * sigma;
  if (event.kind === 'transient') {
    if (event.start < n) out[event.start] = size;
    return out;
  }
  const last = event.kind === 'step' ? Math.min(event.end, n - 1) : n - 1; // a step lasts to its end (a shift: 90 readings)
  for (let i = event.start; i <= last; i++) out[i] = event.kind === 'step' ? size : (size / 10) * (i - event.start + 1);
  return out;
}

/**
 * A 32-bit seed for one named random stream (FNV-1a of the name, mixed with the seed), so that
 * each family draws independent numbers and running a subset of families changes nothing.
 */
export function streamSeed(stream: string, seed: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  h ^= Math.imul(seed | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/** The daily-and-weekly pattern (dailyCycle) plus unit noise. */
function fillDaily(r: SeededRandom, times: Float64Array, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = dailyCycle(times[i]!) + r.normal();
}

function fillDailyDays(r: SeededRandom, times: Float64Array, out: Float64Array): void {
  // The level runs straight from one midnight's value to the next (no step at midnight: a day's level moves as the
  // weather does, not at the stroke of the clock).
  const phi = SYNTHETIC.dayEffectPhi;
  const innovation = SYNTHETIC.dayEffectSd * Math.sqrt(1 - phi * phi);
  let from = SYNTHETIC.dayEffectSd * r.normal();
  let to = phi * from + innovation * r.normal();
  let day = Math.floor(times[0]! / DAY_MS);
  for (let i = 0; i < out.length; i++) {
    const d = Math.floor(times[i]! / DAY_MS);
    for (; day < d; day++) {
      from = to;
      to = phi * from + innovation * r.normal();
    }
    const f = (times[i]! - d * DAY_MS) / DAY_MS;
    out[i] = dailyCycle(times[i]!) + from + f * (to - from) + r.normal();
  }
}

function fillNormal(r: SeededRandom, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = r.normal();
}

/** Student-t with ν degrees of freedom: Z / √(χ²_ν/ν), χ²_ν as a sum of ν squared normals. */
export function studentT(r: SeededRandom, nu: number): number {
  const z = r.normal();
  return z / Math.sqrt(chiSquare(r, nu) / nu);
}

/** χ² with k degrees of freedom: a sum of k squared normals. */
export function chiSquare(r: SeededRandom, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) {
    const a = r.normal();
    s += a * a;
  }
  return s;
}

/** Poisson draw by multiplying uniforms (Knuth) for small means; a rounded normal beyond a mean of 50. */
export function poisson(r: SeededRandom, mean: number): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * r.normal()));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = r.uniform();
  while (p > limit) {
    k++;
    p *= r.uniform();
  }
  return k;
}
