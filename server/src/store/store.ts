// The time-series store: the one interface every backend (memory, embedded SQLite, InfluxDB 2, VictoriaMetrics)
// implements and the rest of the server codes against. Contract: server/test/support/store-contract.ts.
import type { ReadingBatch } from '@opsroom/models';
import type { RetentionPolicy, RetentionResult } from './retention.js';

/** One stored reading: a value of one metric of one node, measured by one device at one instant. */
export interface StoredPoint {
  node: string;
  metric: string;
  deviceId: string;
  /** Milliseconds since the Unix epoch (UTC), a non-negative integer. */
  ts: number;
  value: number;
}

/**
 * How a window reduces the points that fall in it (over every device of the series).
 * `last` is the value with the greatest ts; when several devices share that ts, which one wins
 * is left to the backend.
 */
export type Aggregate = 'mean' | 'min' | 'max' | 'last' | 'count';

export interface RangeQuery {
  node: string;
  metric: string;
  /** Inclusive lower bound, ms epoch. */
  from: number;
  /** Inclusive upper bound, ms epoch. */
  to: number;
  /** bucket width ms; omitted => raw points */
  windowMs?: number;
  aggregate?: Aggregate /* default mean */;
  /**
   * Raw queries only (ignored with windowMs): the caller needs at most this many points, the
   * oldest. A store may stop reading after it (memory and SQLite do) or return more (the caller
   * cuts); never fewer than are stored, up to it.
   */
  limit?: number;
}

export interface SeriesPoint {
  ts: number;
  value: number;
}

export interface StoreHealth {
  ok: boolean;
  backend: string;
  detail: string;
  /** What the operator should fix although the store works (e.g. a server flag); start-up logs each. */
  warnings?: string[];
}

export interface TimeSeriesStore {
  /**
   * False when start-up must not call latest(): InfluxDB, where it would be a Flux query that
   * InfluxDB-compatible servers (VictoriaMetrics) do not speak. Start-up then seeds the live view
   * from nothing (each series shows again at its next reading; detectors restore from their
   * checkpoint either way). Absent means true: latest() is a bounded, cheap read.
   */
  readonly latestAtStartup?: boolean;
  /**
   * Durable once the promise resolves (acknowledged). Idempotent on (node, metric, deviceId, ts): a duplicate is
   * ignored, never stored twice.
   */
  writeBatch(points: readonly StoredPoint[]): Promise<void>;
  /**
   * writeBatch in columns (issue 10): reading i of batch b is the point
   * `{ node: b.node, metric: b.metricNames[b.metric[i]], deviceId: b.deviceId, ts: b.ts[i], value: b.values[i] }`.
   * Same promises: durable when resolved, idempotent on (node, metric, deviceId, ts) across both
   * methods (first write wins, inside one call too), malformed readings skipped and counted. The
   * store reads the arrays before the promise settles (the caller must not change them meanwhile)
   * and keeps no reference to them afterwards.
   */
  writeReadings(batches: readonly ReadingBatch[]): Promise<void>;
  /**
   * Points in [from, to], oldest first; with windowMs, one point per bucket (bucket start ts) aggregated over every
   * device of the series.
   */
  query(q: RangeQuery): Promise<SeriesPoint[]>;
  /**
   * Which stored tier answers windows of `windowMs` (`minute`, `hour`), or `raw` when they are
   * computed from raw points; absent on stores that compute windows inside their database
   * (VictoriaMetrics, InfluxDB) or in memory. Reported by /api/history as its resolution's source.
   */
  windowSource?(windowMs: number): 'raw' | 'minute' | 'hour';
  /** The newest point per (node, metric, deviceId), optionally only for these nodes. */
  latest(nodes?: readonly string[]): Promise<StoredPoint[]>;
  /** Deletes raw points older than `before` (ms epoch); returns how many. */
  deleteBefore(before: number): Promise<number>;
  /**
   * Deletes data older than the policy allows at `now` (ms epoch): raw points older than
   * `now - rawMs` and, in stores that keep downsampled tiers (SQLite), tier buckets older than
   * their own limits. Stores without tiers delete raw points only; InfluxDB leaves retention to
   * the bucket's retention period and deletes nothing. Rejects with a RangeError for a bad policy.
   */
  applyRetention(policy: RetentionPolicy, now: number): Promise<RetentionResult>;
  health(): StoreHealth;
  /** Flushes and closes. Idempotent. */
  close(): Promise<void>;
}
