// Downsampled tiers: pre-aggregated buckets of a series (count, sum, min, max, last) that answer
// window queries over long ranges without reading every raw point. Pure helpers; the SQLite
// store keeps the tables (sqlite-store.ts).
import { bucketStart } from './aggregate.js';
import type { Aggregate, SeriesPoint } from './store.js';

/** One tier: its bucket width and the SQLite table holding its buckets. */
export interface Tier {
  name: 'minute' | 'hour';
  table: 'points_1m' | 'points_1h';
  widthMs: number;
}

export const MINUTE_TIER: Tier = Object.freeze({ name: 'minute', table: 'points_1m', widthMs: 60_000 });
export const HOUR_TIER: Tier = Object.freeze({ name: 'hour', table: 'points_1h', widthMs: 3_600_000 });
/** Every tier, coarsest first. */
export const TIERS: readonly Tier[] = Object.freeze([HOUR_TIER, MINUTE_TIER]);

/**
 * The coarsest tier whose bucket width divides `windowMs` (so each of its buckets lies inside one
 * window), or undefined when none does and raw points must be read.
 *
 * Example: tierFor(7_200_000) is HOUR_TIER; tierFor(300_000) is MINUTE_TIER; tierFor(10_000) is undefined.
 */
export function tierFor(windowMs: number): Tier | undefined {
  return TIERS.find((t) => windowMs % t.widthMs === 0);
}

/**
 * How a range [from, to] splits for a tier of width `w`: integer bounds [fromI, toI] (ts are
 * integers), and the whole tier buckets inside them, starting at fullFrom up to fullEnd
 * (exclusive). Raw points answer [fromI, fullFrom - 1] and [fullEnd, toI]. Null when no whole
 * bucket fits (raw points answer everything).
 *
 * Example, w = 60_000: [30_000, 200_000] -> fromI 30_000, toI 200_000, fullFrom 60_000, fullEnd 180_000
 * (buckets 60 000 and 120 000 whole; raw for 30 000..59 999 and 180 000..200 000).
 */
export function tierSpan(
  from: number,
  to: number,
  w: number,
): { fromI: number; toI: number; fullFrom: number; fullEnd: number } | null {
  const fromI = Math.max(0, Math.ceil(from));
  const toI = Math.min(Number.MAX_SAFE_INTEGER, Math.floor(to));
  if (fromI > toI) return null;
  const fullFrom = Math.ceil(fromI / w) * w;
  const fullEnd = bucketStart(toI + 1, w);
  if (fullFrom >= fullEnd) return null;
  return { fromI, toI, fullFrom, fullEnd };
}

/**
 * Running aggregate of a set of points. `last` is the value with the greatest ts; at equal ts the
 * lowest device id wins (what SQLite's raw `max(ts)` query picks, scanning devices in id order),
 * which makes the result independent of arrival order.
 */
export interface BucketAcc {
  n: number;
  sum: number;
  min: number;
  max: number;
  lastTs: number;
  lastDev: number;
  last: number;
}

export function emptyAcc(): BucketAcc {
  return { n: 0, sum: 0, min: Infinity, max: -Infinity, lastTs: -Infinity, lastDev: Infinity, last: 0 };
}

/**
 * Adds one point to `acc`. Example: adding (ts 5, dev 2, 1) then (5, 1, 9) leaves last = 9 (lower device at equal ts).
 */
export function addPoint(acc: BucketAcc, ts: number, dev: number, value: number): void {
  addBucket(acc, 1, value, value, value, ts, dev, value); // a point is a bucket of one
}

/** Merges a stored bucket (n, sum, min, max, last_ts, last_dev, last) into `acc`. */
export function addBucket(
  acc: BucketAcc,
  n: number,
  sum: number,
  min: number,
  max: number,
  lastTs: number,
  lastDev: number,
  last: number,
): void {
  acc.n += n;
  acc.sum += sum;
  if (min < acc.min) acc.min = min;
  if (max > acc.max) acc.max = max;
  if (lastTs > acc.lastTs || (lastTs === acc.lastTs && lastDev < acc.lastDev)) {
    acc.lastTs = lastTs;
    acc.lastDev = lastDev;
    acc.last = last;
  }
}

/** The value `aggregate` reports for a non-empty partial. */
export function reduceAcc(acc: BucketAcc, aggregate: Aggregate): number {
  switch (aggregate) {
    case 'mean':
      return acc.sum / acc.n;
    case 'min':
      return acc.min;
    case 'max':
      return acc.max;
    case 'last':
      return acc.last;
    case 'count':
      return acc.n;
  }
}

/**
 * Builds window points from raw points and tier buckets fed oldest first (windows never revisited).
 *
 * Example, windowMs 120_000, mean: point (30_000, dev 1, 4), bucket 60_000 {n 2, sum 10, ...},
 * point (130_000, dev 1, 7) -> [{ ts: 0, value: 14 / 3 }, { ts: 120_000, value: 7 }].
 */
export class WindowBuilder {
  private readonly out: SeriesPoint[] = [];
  private start = -1;
  private acc = emptyAcc();

  constructor(
    private readonly windowMs: number,
    private readonly aggregate: Aggregate,
  ) {}

  point(ts: number, dev: number, value: number): void {
    addPoint(this.windowAt(ts), ts, dev, value);
  }

  bucket(
    bucket: number,
    n: number,
    sum: number,
    min: number,
    max: number,
    lastTs: number,
    lastDev: number,
    last: number,
  ): void {
    addBucket(this.windowAt(bucket), n, sum, min, max, lastTs, lastDev, last);
  }

  /** A window already reduced elsewhere (by SQL); it must start after every window fed so far. */
  window(start: number, value: number): void {
    this.flush();
    this.start = start;
    this.out.push({ ts: start, value });
  }

  /** The finished windows, oldest first; windows without points are left out. */
  finish(): SeriesPoint[] {
    this.flush();
    return this.out;
  }

  private windowAt(ts: number): BucketAcc {
    const start = bucketStart(ts, this.windowMs);
    if (start !== this.start) {
      this.flush();
      this.start = start;
    }
    return this.acc;
  }

  private flush(): void {
    if (this.acc.n > 0) this.out.push({ ts: this.start, value: reduceAcc(this.acc, this.aggregate) });
    this.acc = emptyAcc();
  }
}

/**
 * Buckets of one write transaction, per tier, series and bucket start, so each touched bucket is
 * upserted once per batch rather than once per point.
 */
export class TierBatch {
  private readonly tiers = new Map<Tier, Map<number, Map<number, BucketAcc>>>(TIERS.map((t) => [t, new Map()]));

  /** Adds a point that was actually inserted (never a duplicate the raw table ignored). */
  add(series: number, dev: number, ts: number, value: number): void {
    for (const [tier, bySeries] of this.tiers) {
      let buckets = bySeries.get(series);
      if (buckets === undefined) bySeries.set(series, (buckets = new Map()));
      const b = bucketStart(ts, tier.widthMs);
      let acc = buckets.get(b);
      if (acc === undefined) buckets.set(b, (acc = emptyAcc()));
      addPoint(acc, ts, dev, value);
    }
  }

  /**
   * Adds the points `ts[from..to)`, `values[from..to)` of one device, all actually inserted, with
   * ts strictly ascending: one map lookup per (tier, bucket) touched rather than per point.
   *
   * Example: addRun(s, 1, [0, 30_000, 60_000], [1, 2, 3], 0, 3) adds to minute bucket 0 {n 2, sum 3,
   * last 2} and bucket 60 000 {n 1, sum 3, last 3}, and to hour bucket 0 {n 3, sum 6, last 3}.
   */
  addRun(
    series: number,
    dev: number,
    ts: ArrayLike<number>,
    values: ArrayLike<number>,
    from: number,
    to: number,
  ): void {
    if (from >= to) return;
    for (const [tier, bySeries] of this.tiers) {
      let buckets = bySeries.get(series);
      if (buckets === undefined) bySeries.set(series, (buckets = new Map()));
      const w = tier.widthMs;
      let i = from;
      while (i < to) {
        const b = bucketStart(ts[i]!, w);
        const end = b + w;
        let v = values[i]!;
        let n = 1;
        let sum = v;
        let min = v;
        let max = v;
        i++;
        while (i < to && ts[i]! < end) {
          v = values[i]!;
          n++;
          sum += v;
          if (v < min) min = v;
          if (v > max) max = v;
          i++;
        }
        let acc = buckets.get(b);
        if (acc === undefined) buckets.set(b, (acc = emptyAcc()));
        addBucket(acc, n, sum, min, max, ts[i - 1]!, dev, v);
      }
    }
  }

  /** Calls `fn` once per touched (tier, series, bucket). */
  forEach(fn: (tier: Tier, series: number, bucket: number, acc: BucketAcc) => void): void {
    for (const [tier, bySeries] of this.tiers) {
      for (const [series, buckets] of bySeries) for (const [b, acc] of buckets) fn(tier, series, b, acc);
    }
  }
}
