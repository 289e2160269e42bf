import type { ReadingBatch } from '@opsroom/models';
import { aggregateWindows } from './aggregate.js';
import { pointsOfBatches } from './batch-points.js';
import type { RetentionPolicy, RetentionResult } from './retention.js';
import { checkRetentionPolicy } from './retention.js';
import type { RangeQuery, SeriesPoint, StoreHealth, StoredPoint, TimeSeriesStore } from './store.js';
import { checkCutoff, closedError, normalizeQuery, pointProblem } from './validate.js';

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

  async query(q: RangeQuery): Promise<SeriesPoint[]> {
    if (this.closed) throw closedError('memory');
    const nq = normalizeQuery(q);
    const devices = this.nodes.get(nq.node)?.get(nq.metric);
    if (devices === undefined || nq.from > nq.to) return [];
    const rows: { ts: number; value: number; device: string }[] = [];
    for (const [device, s] of devices) {
      const end = lowerBound(s.ts, Math.floor(nq.to) + 1);
      for (let i = lowerBound(s.ts, Math.ceil(nq.from)); i < end; i++) rows.push({ ts: s.ts[i]!, value: s.values[i]!, device });
    }
    rows.sort((a, b) => a.ts - b.ts || (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    const raw = rows.map((r) => ({ ts: r.ts, value: r.value }));
    return nq.windowMs === undefined ? raw : aggregateWindows(raw, nq.windowMs, nq.aggregate);
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
      detail: this.closed ? 'closed' : `${this.points} points in memory (not persisted); ${this.rejected} malformed points rejected`,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.nodes.clear();
  }
}
