import type { ReadingBatch } from '@opsroom/models';
import { bucketStart } from './aggregate.js';
import { pointsOfBatches } from './batch-points.js';
import type { RetentionPolicy, RetentionResult } from './retention.js';
import { checkRetentionPolicy } from './retention.js';
import type { Aggregate, RangeQuery, SeriesPoint, StoreHealth, StoredPoint, TimeSeriesStore } from './store.js';
import { TurnBudget } from './turn-budget.js';
import { checkCutoff, closedError, normalizeQuery, pointProblem } from './validate.js';

/** The value `aggregate` reports for a window's running figures. */
function reduceWindow(
  aggregate: Aggregate,
  a: { n: number; sum: number; min: number; max: number; last: number },
): number {
  switch (aggregate) {
    case 'mean':
      return a.sum / a.n;
    case 'min':
      return a.min;
    case 'max':
      return a.max;
    case 'last':
      return a.last;
    case 'count':
      return a.n;
  }
}

/** One device's points of one series, sorted by ts, in two parallel arrays. */
interface DeviceSeries {
  ts: number[];
  values: number[];
}

/** Index of the first element of sorted `a` that is >= `x`. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A store that keeps everything in process memory: for tests and for `--store memory` demos.
 * Nothing survives the process; `writeBatch` is "durable" only in that sense.
 *
 * Layout: node -> metric -> deviceId -> points sorted by ts (appends are O(1), late points
 * are inserted by binary search, a duplicate (same device and ts) is ignored: first write wins).
 */
export class MemoryStore implements TimeSeriesStore {
  private readonly nodes = new Map<string, Map<string, Map<string, DeviceSeries>>>();
  private closed = false;
  private points = 0;
  private rejected = 0;

  /** Points skipped by writeBatch because they were malformed (see pointProblem). */
  get rejectedPoints(): number {
    return this.rejected;
  }

  async writeBatch(points: readonly StoredPoint[]): Promise<void> {
    if (this.closed) throw closedError('memory');
    for (const p of points) {
      if (pointProblem(p) !== null) {
        this.rejected++;
        continue;
      }
      let metrics = this.nodes.get(p.node);
      if (metrics === undefined) this.nodes.set(p.node, (metrics = new Map()));
      let devices = metrics.get(p.metric);
      if (devices === undefined) metrics.set(p.metric, (devices = new Map()));
      let s = devices.get(p.deviceId);
      if (s === undefined) devices.set(p.deviceId, (s = { ts: [], values: [] }));
      const n = s.ts.length;
      if (n === 0 || p.ts > s.ts[n - 1]!) {
        s.ts.push(p.ts);
        s.values.push(p.value);
      } else {
        const i = lowerBound(s.ts, p.ts);
        if (s.ts[i] === p.ts) continue; // duplicate: ignored
        s.ts.splice(i, 0, p.ts);
        s.values.splice(i, 0, p.value);
      }
      this.points++;
    }
  }

  /** writeBatch of the batches' readings as objects (this store keeps objects' fields anyway). */
  async writeReadings(batches: readonly ReadingBatch[]): Promise<void> {
    if (this.closed) throw closedError('memory');
    return this.writeBatch(pointsOfBatches(batches));
  }

  /**
   * Merges the devices' points in [from, to] oldest first (at equal ts in device-id order) into raw
   * points or windows, without building an array of every point in the range: a year of one-minute
   * points is one pass over copies of the ranges, giving the event loop a turn whenever a few ms have
   * passed (issue 18 point 3). Raw reads stop after `limit` points.
   */
  async query(q: RangeQuery): Promise<SeriesPoint[]> {
    if (this.closed) throw closedError('memory');
    const nq = normalizeQuery(q);
    const devices = this.nodes.get(nq.node)?.get(nq.metric);
    if (devices === undefined || nq.from > nq.to) return [];
    // Copies of the ranges (cheap, packed arrays): a write during a yield cannot shift them.
    const runs = [...devices.keys()].sort().map((d) => {
      const s = devices.get(d)!;
      const lo = lowerBound(s.ts, Math.ceil(nq.from));
      const hi = lowerBound(s.ts, Math.floor(nq.to) + 1);
      return { ts: s.ts.slice(lo, hi), values: s.values.slice(lo, hi), i: 0 };
    });
    const out: SeriesPoint[] = [];
    const limit = nq.limit ?? Infinity;
    const w = nq.windowMs;
    const acc = { start: NaN, n: 0, sum: 0, min: Infinity, max: -Infinity, last: 0 };
    const flush = (): void => {
      if (acc.n > 0) out.push({ ts: acc.start, value: reduceWindow(nq.aggregate, acc) });
      acc.n = 0;
      acc.sum = 0;
      acc.min = Infinity;
      acc.max = -Infinity;
    };
    const budget = new TurnBudget();
    for (let k = 1; ; k++) {
      let best = -1;
      let bestTs = Infinity;
      for (let d = 0; d < runs.length; d++) {
        const r = runs[d]!;
        if (r.i < r.ts.length && r.ts[r.i]! < bestTs) {
          best = d;
          bestTs = r.ts[r.i]!;
        }
      }
      if (best < 0) break;
      const r = runs[best]!;
      const value = r.values[r.i++]!;
      if (w === undefined) {
        out.push({ ts: bestTs, value });
        if (out.length >= limit) break;
      } else {
        const start = bucketStart(bestTs, w);
        if (start !== acc.start) {
          flush();
          acc.start = start;
        }
        acc.n++;
        acc.sum += value;
        if (value < acc.min) acc.min = value;
        if (value > acc.max) acc.max = value;
        // points come oldest first: the last one fed is the newest (at equal ts, the greatest device id)
        acc.last = value;
      }
      if ((k & 4095) === 0) {
        await budget.maybeYield();
        if (this.closed) throw closedError('memory');
      }
    }
    flush();
    return out;
  }

  async latest(nodes?: readonly string[]): Promise<StoredPoint[]> {
    if (this.closed) throw closedError('memory');
    const out: StoredPoint[] = [];
    const wanted = nodes === undefined ? [...this.nodes.keys()] : [...new Set(nodes)];
    for (const node of wanted.sort()) {
      const metrics = this.nodes.get(node);
      if (metrics === undefined) continue;
      for (const metric of [...metrics.keys()].sort()) {
        const devices = metrics.get(metric)!;
        for (const deviceId of [...devices.keys()].sort()) {
          const s = devices.get(deviceId)!;
          const n = s.ts.length;
          if (n > 0) out.push({ node, metric, deviceId, ts: s.ts[n - 1]!, value: s.values[n - 1]! });
        }
      }
    }
    return out;
  }

  async deleteBefore(before: number): Promise<number> {
    if (this.closed) throw closedError('memory');
    checkCutoff(before);
    let deleted = 0;
    for (const metrics of this.nodes.values()) {
      for (const devices of metrics.values()) {
        for (const s of devices.values()) {
          const k = lowerBound(s.ts, before);
          if (k === 0) continue;
          s.ts.splice(0, k);
          s.values.splice(0, k);
          deleted += k;
        }
      }
    }
    this.points -= deleted;
    return deleted;
  }

  /** Deletes raw points older than `now - policy.rawMs` (this store keeps no tiers). */
  async applyRetention(policy: RetentionPolicy, now: number): Promise<RetentionResult> {
    if (this.closed) throw closedError('memory');
    checkRetentionPolicy(policy);
    return { raw: await this.deleteBefore(now - policy.rawMs), minute: 0, hour: 0 };
  }

  /** How many raw points are held (for tests). */
  async count(): Promise<number> {
    return this.points;
  }

  health(): StoreHealth {
    return {
      ok: !this.closed,
      backend: 'memory',
      detail: this.closed
        ? 'closed'
        : `${this.points} points in memory (not persisted); ${this.rejected} malformed points rejected`,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.nodes.clear();
  }
}
