// The resolution of a history answer (issue 18 point 3): which step a range is read at so a chart
// gets at most a budget of points, and how a request that asks for more is cut. Pure.
import { HISTORY_MAX_POINTS } from '@opsroom/models/http';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/**
 * The window widths history picks from, finest first. From a minute up each is a multiple of the
 * minute (the SQLite store's minute tier answers it), from an hour up a multiple of the hour (the
 * hour tier answers it). Windows start at multiples of their width since the epoch (UTC).
 */
export const STEPS_MS: readonly number[] = Object.freeze([
  1 * S,
  2 * S,
  5 * S,
  10 * S,
  15 * S,
  30 * S,
  1 * M,
  2 * M,
  5 * M,
  10 * M,
  15 * M,
  30 * M,
  1 * H,
  2 * H,
  3 * H,
  6 * H,
  12 * H,
  1 * D,
  2 * D,
  7 * D,
  14 * D,
  28 * D,
]);

/** Default and bounds of `maxPoints` (points per answer). */
export const DEFAULT_MAX_POINTS = HISTORY_MAX_POINTS.default;
export const MIN_MAX_POINTS = HISTORY_MAX_POINTS.min;
export const MAX_MAX_POINTS = HISTORY_MAX_POINTS.max;

/**
 * How many windows of width `w` the range [from, to] touches.
 *
 * Example: windowCount(30_000, 150_000, 60_000) === 3 (windows 0, 60 000 and 120 000).
 */
export function windowCount(from: number, to: number, w: number): number {
  return Math.floor(to / w) - Math.floor(from / w) + 1;
}

/**
 * The finest step of STEPS_MS, at least `minStepMs`, at which [from, to] fits in `maxPoints`
 * windows; past the last step, whole days.
 *
 * Example: autoStep(0, 365 * 86_400_000, 2_000) === 21_600_000 (6 h: 1,461 windows; 3 h would be 2,921).
 */
export function autoStep(from: number, to: number, maxPoints: number, minStepMs = 0): number {
  for (const w of STEPS_MS) if (w >= minStepMs && windowCount(from, to, w) <= maxPoints) return w;
  let w = Math.max(D, Math.ceil(minStepMs / D) * D, Math.ceil((to - from) / D / Math.max(1, maxPoints - 1)) * D);
  while (windowCount(from, to, w) > maxPoints) w += D;
  return w;
}

/** The step a window must be read at, at least `minStepMs`: `w` itself, or the finest step of STEPS_MS above. */
export function atLeast(w: number, minStepMs: number): number {
  if (w >= minStepMs) return w;
  return STEPS_MS.find((s) => s >= minStepMs) ?? Math.ceil(minStepMs / D) * D;
}

export interface WindowPlan {
  /** The window width read, ms. */
  stepMs: number;
  /** The range read: `from` is moved later when the request was cut. */
  from: number;
  to: number;
  truncated: boolean;
  /** Why the answer was cut, for the response. */
  truncatedReason?: string;
}

/**
 * An explicit window width `windowMs` over [from, to] in at most `maxPoints` windows: the whole
 * range when it fits, else the newest `maxPoints` windows (the range starts later, and says so).
 * The range is cut before reading, so the read is bounded too.
 *
 * Example: planWindows(0, 10 * 60_000, 60_000, 5) reads from 360 000 (windows 6..10), truncated.
 */
export function planWindows(from: number, to: number, windowMs: number, maxPoints: number): WindowPlan {
  const n = windowCount(from, to, windowMs);
  if (n <= maxPoints) return { stepMs: windowMs, from, to, truncated: false };
  const cut = (Math.floor(to / windowMs) - maxPoints + 1) * windowMs;
  return {
    stepMs: windowMs,
    from: cut,
    to,
    truncated: true,
    truncatedReason:
      `windowMs ${windowMs} gives ${n} windows, more than maxPoints ` +
      `${maxPoints}: the oldest ${n - maxPoints} were left out (the answer ` +
      `starts at ${cut}); ask a wider windowMs, a shorter range, or omit ` +
      `windowMs for a step that fits`,
  };
}
