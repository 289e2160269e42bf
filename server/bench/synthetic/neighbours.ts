/**
 * Null families beyond the suite (families.ts): other tails, counts, correlations and cadences than the ones the
 * detector's settings were chosen on, to tell a budget that holds on its own tuning families from one that holds. Two
 * sets, written on 2026-12-08:
 *
 * - `probe`: looked at while the detector was changed that day (a tuning set, like the suite's tuning seeds). Four of its
 *   families were then added to the suite itself (null-t6, null-poisson1, null-white-hourly, null-t3-hourly).
 * - `held-out`: other parameters of the same kinds (other degrees of freedom, means, correlations, cadences, amplitudes),
 *   written down before any change was measured on it and run once at the end: the figure to quote.
 *
 * Each family is 10,000 readings from Monday 2024-01-01 00:00 UTC; the rate counted is alert onsets (alert rows more
 * than 10 readings after the previous one, evaluate.ts) per 10,000 readings, the budget 0.5.
 *
 * @example
 *   const rows = evaluateNeighbours(() => createDetector(), 'held-out', { seeds: 10 });
 *   rows.filter((r) => r.onsetsPer10k > 0.5); // families over the budget
 */
import type { StreamingDetector } from '../../src/vsm/detectors/detector.js';
import { alertOnsets, traceDetector } from './evaluate.js';
import { SYNTHETIC_EPOCH_MS, chiSquare, dailyCycle, poisson, studentT } from './families.js';
import { seededRandom, type SeededRandom } from './seeded-random.js';

export type NeighbourSet = 'probe' | 'held-out';
export const NEIGHBOUR_SETS: readonly NeighbourSet[] = ['probe', 'held-out'];

/** One reading: `i` its index, `t` its time (ms), `s` the series' own scratch state (AR terms). */
type Draw = (r: SeededRandom, i: number, t: number, s: { x?: number; y?: number }) => number;
export interface Neighbour {
  name: string;
  set: NeighbourSet;
  /** Readings' spacing in ms; 0: irregular (exponential gaps, mean a minute, at least a second). */
  stepMs: number;
  draw: Draw;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
export const NEIGHBOUR_LENGTH = 10_000;

function laplace(r: SeededRandom): number {
  const u = r.uniform() - 0.5;
  return -Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

function ar(s: { x?: number }, phi: number, innovation: number, start = 0): number {
  s.x = phi * (s.x ?? start) + innovation;
  return s.x;
}

const white: Draw = (r) => r.normal();

function fam(set: NeighbourSet, name: string, stepMs: number, draw: Draw): Neighbour {
  return { name, set, stepMs, draw };
}

export const NEIGHBOURS: readonly Neighbour[] = Object.freeze([
  // probe: looked at while the detector changed (2026-12-08)
  fam('probe', 'white-1s', 1000, white),
  fam('probe', 'white-5m', 5 * MIN, white),
  fam('probe', 'white-30m', 30 * MIN, white),
  fam('probe', 'white-1h', HOUR, white),
  fam('probe', 'white-1d', DAY, white),
  fam('probe', 'white-irregular', 0, white),
  fam('probe', 't2', MIN, (r) => studentT(r, 2)),
  fam('probe', 't5', MIN, (r) => studentT(r, 5)),
  fam('probe', 't3-1h', HOUR, (r) => studentT(r, 3)),
  fam('probe', 'laplace', MIN, laplace),
  fam('probe', 'lognormal', MIN, (r) => Math.exp(r.normal())),
  fam('probe', 'uniform', MIN, (r) => r.uniform()),
  fam('probe', 'ar1-0.5', MIN, (r, _i, _t, s) => ar(s, 0.5, r.normal())),
  fam('probe', 'ar1-0.97', MIN, (r, _i, _t, s) => ar(s, 0.97, r.normal())),
  fam('probe', 'ar1-0.9-1h', HOUR, (r, _i, _t, s) => ar(s, 0.9, r.normal())),
  fam('probe', 'ar2', MIN, (r, _i, _t, s) => {
    const x = 0.5 * (s.x ?? 0) + 0.3 * (s.y ?? 0) + r.normal();
    s.y = s.x;
    s.x = x;
    return x;
  }),
  fam('probe', 'poisson0.3', MIN, (r) => poisson(r, 0.3)),
  fam('probe', 'poisson1', MIN, (r) => poisson(r, 1)),
  fam('probe', 'poisson2', MIN, (r) => poisson(r, 2)),
  fam('probe', 'poisson30', MIN, (r) => poisson(r, 30)),
  fam('probe', 'negbin5', MIN, (r) => poisson(r, (5 * chiSquare(r, 4)) / 4)),
  fam('probe', 'quantised-0.3', MIN, (r) => Math.round(0.3 * r.normal())),
  fam('probe', 'rounded-1.5', MIN, (r) => Math.round(20 + 1.5 * r.normal())),
  fam('probe', 'daily-1m', MIN, (r, _i, t) => dailyCycle(t, 5, 3) + r.normal()),
  fam('probe', 'daily-1m-a2', MIN, (r, _i, t) => dailyCycle(t, 2, 1) + r.normal()),
  fam('probe', 'daily-1m-a10', MIN, (r, _i, t) => dailyCycle(t, 10, 5) + r.normal()),
  fam('probe', 'daily-1m-counts', MIN, (r, _i, t) => poisson(r, 20 + 15 * Math.sin((2 * Math.PI * (t % DAY)) / DAY))),
  fam('probe', 'daily-5m-ar', 5 * MIN, (r, _i, t, s) => dailyCycle(t, 5, 3) + ar(s, 0.7, 0.71 * r.normal())),
  fam('probe', 'daily-5m-a10', 5 * MIN, (r, _i, t) => dailyCycle(t, 10, 5) + r.normal()),
  fam('probe', 'daily-10m', 10 * MIN, (r, _i, t) => dailyCycle(t, 5, 3) + r.normal()),
  fam('probe', 'daily-15m', 15 * MIN, (r, _i, t) => dailyCycle(t, 5, 3) + r.normal()),
  fam('probe', 'daily-15m-a20', 15 * MIN, (r, _i, t) => dailyCycle(t, 20, 5) + r.normal()),
  fam('probe', 'daily-1h-a10', HOUR, (r, _i, t) => dailyCycle(t, 10, 5) + r.normal()),
  fam('probe', 'trend-0.001', MIN, (r, i) => 0.001 * i + r.normal()),
  fam('probe', 'trend-0.1', MIN, (r, i) => 0.1 * i + r.normal()),
  fam('probe', 'sine-60', MIN, (r, i) => 3 * Math.sin((2 * Math.PI * i) / 60) + r.normal()),
  fam('probe', 'level-1e6-noise-1e-3', MIN, (r) => 1e6 + 1e-3 * r.normal()),
  fam('probe', 'level-minus-1e9', MIN, (r) => -1e9 + r.normal()),
  // held-out: written before any change was measured on it; run once, at the end
  fam('held-out', 'white-2m', 2 * MIN, white),
  fam('held-out', 'white-10m', 10 * MIN, white),
  fam('held-out', 'white-2h', 2 * HOUR, white),
  fam('held-out', 't4-1m', MIN, (r) => studentT(r, 4)),
  fam('held-out', 't3-30m', 30 * MIN, (r) => studentT(r, 3)),
  fam('held-out', 't6-5m', 5 * MIN, (r) => studentT(r, 6)),
  fam('held-out', 'laplace-1h', HOUR, laplace),
  fam('held-out', 'ar1-0.8-1m', MIN, (r, _i, _t, s) => ar(s, 0.8, r.normal())),
  fam('held-out', 'ar1-0.95-5m', 5 * MIN, (r, _i, _t, s) => ar(s, 0.95, r.normal())),
  fam('held-out', 'ar1-0.7-1h', HOUR, (r, _i, _t, s) => ar(s, 0.7, r.normal())),
  fam('held-out', 'poisson1.5-1m', MIN, (r) => poisson(r, 1.5)),
  fam('held-out', 'poisson3-5m', 5 * MIN, (r) => poisson(r, 3)),
  fam('held-out', 'poisson0.5-1h', HOUR, (r) => poisson(r, 0.5)),
  fam('held-out', 'negbin3', MIN, (r) => poisson(r, (3 * chiSquare(r, 6)) / 6)),
  fam('held-out', 'daily-2m-a4', 2 * MIN, (r, _i, t) => dailyCycle(t, 4, 2) + r.normal()),
  fam('held-out', 'daily-3m-a8', 3 * MIN, (r, _i, t) => dailyCycle(t, 8, 4) + r.normal()),
  fam('held-out', 'daily-20m-a6', 20 * MIN, (r, _i, t) => dailyCycle(t, 6, 3) + r.normal()),
  fam('held-out', 'daily-1m-ar0.5', MIN, (r, _i, t, s) => dailyCycle(t, 5, 3) + ar(s, 0.5, 0.87 * r.normal())),
  fam('held-out', 'daily-5m-counts', 5 * MIN, (r, _i, t) => {
    const w = new Date(t).getUTCDay();
    return poisson(r, Math.max(0.1, 10 + 8 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) - (w === 0 || w === 6 ? 4 : 0)));
  }),
  fam('held-out', 'trend-0.005-5m', 5 * MIN, (r, i) => 0.005 * i + r.normal()),
  fam('held-out', 'trend-down-1h', HOUR, (r, i) => -0.02 * i + r.normal()),
  fam('held-out', 'lognormal-0.5', MIN, (r) => Math.exp(0.5 * r.normal())),
]);

/** One neighbour family's series for one seed: values and times. */
export function generateNeighbour(
  f: Neighbour,
  seed: number,
  length = NEIGHBOUR_LENGTH,
): { values: Float64Array; times: Float64Array } {
  const r = seededRandom(seed * 7919 + 17);
  const values = new Float64Array(length);
  const times = new Float64Array(length);
  const s: { x?: number; y?: number } = {};
  let t = SYNTHETIC_EPOCH_MS;
  for (let i = 0; i < length; i++) {
    if (i > 0) t += f.stepMs > 0 ? f.stepMs : Math.max(1000, Math.round(-Math.log(1 - r.uniform()) * MIN));
    times[i] = t;
    values[i] = f.draw(r, i, t, s);
  }
  return { values, times };
}

export interface NeighbourResult {
  name: string;
  set: NeighbourSet;
  stepMs: number;
  readings: number;
  onsetsPer10k: number;
  alertRowsPer10k: number;
  /** Rows with both alert and learning (the contract forbids them). */
  learningAlertRows: number;
}

/**
 * Every family of `set` (or every set), `seeds` seeds each (1..seeds), a fresh detector per series of `length` readings
 * (default 10,000; shorter in tests).
 */
export function evaluateNeighbours(
  makeDetector: () => StreamingDetector,
  set: NeighbourSet | 'all',
  opts: { seeds: number; length?: number; onFamily?: (name: string) => void },
): NeighbourResult[] {
  const out: NeighbourResult[] = [];
  for (const f of NEIGHBOURS) {
    if (set !== 'all' && f.set !== set) continue;
    opts.onFamily?.(f.name);
    let onsets = 0;
    let rows = 0;
    let learningAlertRows = 0;
    for (let seed = 1; seed <= opts.seeds; seed++) {
      const d = makeDetector();
      const trace = traceDetector(d, generateNeighbour(f, seed, opts.length));
      d.dispose?.();
      for (let i = 0; i < trace.alert.length; i++) {
        rows += trace.alert[i]!;
        learningAlertRows += trace.alert[i]! & trace.learning[i]!;
      }
      onsets += alertOnsets(trace.alert).length;
    }
    const readings = opts.seeds * (opts.length ?? NEIGHBOUR_LENGTH);
    out.push({
      name: f.name,
      set: f.set,
      stepMs: f.stepMs,
      readings,
      onsetsPer10k: (onsets / readings) * 10_000,
      alertRowsPer10k: (rows / readings) * 10_000,
      learningAlertRows,
    });
  }
  return out;
}
