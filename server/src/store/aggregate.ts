import type { Aggregate, SeriesPoint } from './store.js';

/**
 * Start of the window of width `windowMs` that holds `ts`; windows start at multiples of
 * `windowMs` since the Unix epoch (the same as SQL's `(ts / w) * w` for ts >= 0).
 *
 * Example: bucketStart(61_500, 60_000) === 60_000; bucketStart(60_000, 60_000) === 60_000.
 */
export function bucketStart(ts: number, windowMs: number): number {
  return Math.floor(ts / windowMs) * windowMs;
}

/**
 * Reduces time-ordered points (oldest first, several devices interleaved) to one point per window,
 * stamped with the window's start. Windows without points are left out.
 *
 * Example, windowMs = 1000, points (ts, value): (0, 1) (500, 3) (1000, 5) (1999, 7):
 *   mean  -> (0, 2) (1000, 6)
 *   min   -> (0, 1) (1000, 5)
 *   max   -> (0, 3) (1000, 7)
 *   last  -> (0, 3) (1000, 7)
 *   count -> (0, 2) (1000, 2)
 */
export function aggregateWindows(
  points: readonly SeriesPoint[],
  windowMs: number,
  aggregate: Aggregate,
): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  let i = 0;
  while (i < points.length) {
    const start = bucketStart(points[i]!.ts, windowMs);
    const end = start + windowMs;
    let n = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    let last = 0;
    let lastTs = -Infinity;
    for (; i < points.length && points[i]!.ts < end; i++) {
      const p = points[i]!;
      n++;
      sum += p.value;
      if (p.value < min) min = p.value;
      if (p.value > max) max = p.value;
      if (p.ts >= lastTs) {
        lastTs = p.ts;
        last = p.value;
      }
    }
    out.push({ ts: start, value: reduce(aggregate, n, sum, min, max, last) });
  }
  return out;
}

function reduce(aggregate: Aggregate, n: number, sum: number, min: number, max: number, last: number): number {
  switch (aggregate) {
    case 'mean':
      return sum / n;
    case 'min':
      return min;
    case 'max':
      return max;
    case 'last':
      return last;
    case 'count':
      return n;
  }
}
