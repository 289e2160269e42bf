import type { ReadingBatch } from '@opsroom/models';
import { InfluxDB, canRetryHttpCall } from '@influxdata/influxdb-client';
import type { QueryApi, WriteApi } from '@influxdata/influxdb-client';
import { pointsOfBatches } from './batch-points.js';
import { countBeforeFlux, latestFlux, parseFluxTime, rangeFlux } from './influx-flux.js';
import { LineEncoder } from './influx-line.js';
import type { StoreLogger } from './logger.js';
import { silentLogger } from './logger.js';
import type { RetentionPolicy, RetentionResult } from './retention.js';
import { checkRetentionPolicy } from './retention.js';
import type { RangeQuery, SeriesPoint, StoreHealth, StoredPoint, TimeSeriesStore } from './store.js';
import { checkCutoff, closedError, normalizeQuery, pointProblem } from './validate.js';

export interface InfluxStoreOptions {
  /** Base URL of InfluxDB 2 (or anything speaking its write API, e.g. VictoriaMetrics), e.g. http://127.0.0.1:8086. */
  url: string;
  org: string;
  bucket: string;
  /** API token with write (and read, for queries) access to the bucket. */
  token: string;
  /**
   * An `authorization` header sent instead of the token (the VictoriaMetrics store's HTTP basic auth); the token is
   * then not sent.
   */
  authorization?: string;
  /** Most lines in one write request. */
  batchSize?: number;
  /** Most write requests in flight at once. */
  maxInFlight?: number;
  /** Most lines waiting (queued or in flight); a writeBatch that would exceed it is rejected at once. */
  maxBufferLines?: number;
  /** How long one request's lines are retried after retriable failures before their writeBatch calls reject, ms. */
  maxRetryTimeMs?: number;
  /** First retry delay, ms; doubles per attempt up to maxRetryDelayMs (a server's Retry-After wins). */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Timeout of one HTTP request, ms. */
  timeoutMs?: number;
  /**
   * How far back latest() looks, ms (a bounded query; default DEFAULT_INFLUX_STORE_OPTIONS.latestLookbackMs); Infinity
   * = all history.
   */
  latestLookbackMs?: number;
  /**
   * How messages and health() name the server (default 'InfluxDB'; the VictoriaMetrics store writes through this
   * class).
   */
  serverName?: string;
  logger?: StoreLogger;
  /** Clock for latestLookbackMs (tests). */
  now?: () => number;
}

export const DEFAULT_INFLUX_STORE_OPTIONS = Object.freeze({
  batchSize: 5_000, // lines per request: docs/measurements.md: 0.48-0.73 M points/s into VictoriaMetrics at 5,000
  maxInFlight: 4, // requests
  maxBufferLines: 500_000, // lines, ~50 MB of line protocol
  maxRetryTimeMs: 60_000,
  minRetryDelayMs: 200,
  maxRetryDelayMs: 10_000,
  timeoutMs: 10_000,
  latestLookbackMs: 3_600_000, // 1 h: latest() ranges over the last hour only, never the whole bucket
});

/** One writeBatch call waiting for its lines to be acknowledged. */
interface PendingWrite {
  lines: string[];
  /** Index of the first line not yet cut into a request. */
  next: number;
  /** Requests holding some of its lines and not settled yet. */
  outstanding: number;
  error: Error | null;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * InfluxDB 2 backend through @influxdata/influxdb-client.
 *
 * Writing: points become line protocol (measurement = metric, tags node and device, field
 * `value`, ms precision). writeBatch resolves only when every one of its lines was answered
 * 2xx by the server, i.e. acknowledged, which the WriteApi's own batching cannot tell a caller
 * (its flush() does not wait for batches already in flight and its retry buffer belongs to
 * nobody; docs/measurements.md). So this class batches: calls queue their lines; whenever fewer than
 * `maxInFlight` requests are in flight, up to `batchSize` queued lines (from one or several
 * calls) go out as one request through the WriteApi (writeRecords + flush in the same tick, with
 * the WriteApi's auto-flush, timer and retry buffer disabled), retried with exponential backoff
 * while the error is retriable and `maxRetryTimeMs` lasts. Light load sends at once; heavy load
 * fills requests. `writeSuccess` / `writeFailed` count completions for health(). Gzip is off
 * (~12 % faster on loopback, docs/measurements.md).
 *
 * Idempotence: InfluxDB keys a point by series and time, so a redelivered point overwrites
 * itself; a "duplicate" with a different value replaces the first rather than being ignored.
 *
 * Reading: Flux through the QueryApi (annotated CSV), tested against a double only (InfluxDB 2
 * cannot run here; test/store/influx-double.test.ts). InfluxDB-compatible stores that lack Flux
 * (VictoriaMetrics answers 400 on /api/v2/query) can be written to but not queried: use the
 * `victoriametrics` store for them (victoria-store.ts). latest() is a bounded query (the last
 * `latestLookbackMs`), and start-up never calls it (`latestAtStartup = false`): the server starts
 * and writes without any Flux query, whatever the server speaks.
 * deleteBefore counts with Flux, then uses the delete API on the whole bucket's time range;
 * retention is better left to the bucket's retention period.
 */
export class InfluxStore implements TimeSeriesStore {
  /** Start-up does not seed the live view from here: latest() would be a Flux query (see the class comment). */
  readonly latestAtStartup = false;
  private readonly opts: Required<
    Omit<InfluxStoreOptions, 'latestLookbackMs' | 'logger' | 'now' | 'serverName' | 'authorization'>
  > &
    Pick<InfluxStoreOptions, 'authorization'>;
  private readonly name: string;
  private readonly influx: InfluxDB;
  private readonly writeApi: WriteApi;
  private readonly queryApi: QueryApi;
  private readonly encoder = new LineEncoder();
  private readonly log: StoreLogger;
  private readonly now: () => number;
  private readonly latestLookbackMs: number;
  private readonly queue: PendingWrite[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private inFlight = 0;
  /** Lines queued or in flight. */
  private buffered = 0;
  private closing = false;
  private closed = false;
  private closePromise: Promise<void> | null = null;
  private stats = {
    ackedLines: 0,
    failedRequests: 0,
    retries: 0,
    rejectedPoints: 0,
    refusedLines: 0,
    consecutiveFailures: 0,
  };
  private lastError: string | null = null;

  constructor(options: InfluxStoreOptions) {
    for (const key of ['url', 'org', 'bucket', 'token'] as const) {
      if (typeof options?.[key] !== 'string' || options[key] === '') {
        throw new Error(
          `the InfluxDB store needs a non-empty \`${key}\` (url, org, bucket and token of an InfluxDB 2 bucket)`,
        );
      }
    }
    const { logger, now, latestLookbackMs, serverName, ...rest } = options;
    this.name = serverName ?? 'InfluxDB';
    const { latestLookbackMs: _lookback, ...defaults } = DEFAULT_INFLUX_STORE_OPTIONS;
    this.opts = { ...defaults, ...rest };
    for (const key of ['batchSize', 'maxInFlight', 'maxBufferLines'] as const) {
      if (!Number.isSafeInteger(this.opts[key]) || this.opts[key] < 1)
        throw new Error(`InfluxStore option ${key} must be a positive integer (got ${this.opts[key]})`);
    }
    this.latestLookbackMs = latestLookbackMs ?? DEFAULT_INFLUX_STORE_OPTIONS.latestLookbackMs;
    if (!(this.latestLookbackMs > 0))
      throw new Error(
        `InfluxStore option latestLookbackMs must be a positive number of ms or Infinity (got ${latestLookbackMs})`,
      );
    this.log = logger ?? silentLogger;
    this.now = now ?? Date.now;
    this.influx = new InfluxDB({
      url: this.opts.url,
      timeout: this.opts.timeoutMs,
      ...(this.opts.authorization
        ? { headers: { authorization: this.opts.authorization } }
        : { token: this.opts.token }),
    });
    this.writeApi = this.influx.getWriteApi(this.opts.org, this.opts.bucket, 'ms', {
      // One request per sendOnce(): never auto-flush inside writeRecords, no timer.
      batchSize: this.opts.batchSize + 1,
      maxBatchBytes: Number.MAX_SAFE_INTEGER,
      flushInterval: 0,
      gzipThreshold: Number.MAX_SAFE_INTEGER, // gzip off
      // Retries are ours (sendWithRetry): nothing goes to the WriteApi's retry buffer.
      maxRetries: 0,
      maxBufferLines: 1,
      writeSuccess: (lines: string[]) => {
        this.stats.ackedLines += lines.length;
        this.stats.consecutiveFailures = 0;
        this.lastError = null;
      },
      writeFailed: (error: Error) => {
        this.stats.failedRequests++;
        this.stats.consecutiveFailures++;
        this.lastError = error.message;
        // A settled promise makes the WriteApi use it as the result: no retry buffer, no console log.
        return Promise.reject(error);
      },
    });
    this.queryApi = this.influx.getQueryApi(this.opts.org);
  }

  async writeBatch(points: readonly StoredPoint[]): Promise<void> {
    if (this.closing) throw closedError(this.name);
    const lines: string[] = [];
    for (const p of points) {
      if (pointProblem(p) !== null) this.stats.rejectedPoints++;
      else lines.push(this.encoder.encode(p));
    }
    if (lines.length === 0) return;
    if (this.buffered > 0 && this.buffered + lines.length > this.opts.maxBufferLines) {
      this.stats.refusedLines += lines.length;
      throw new Error(
        `${this.name} write buffer is full (${this.buffered} lines waiting, limit ${this.opts.maxBufferLines}): ` +
          (`${this.opts.url} is slower than the input or ` +
            `failing${this.lastError ? ` (${this.lastError})` : ''}; retry this ` +
            `batch later`),
      );
    }
    this.buffered += lines.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ lines, next: 0, outstanding: 0, error: null, resolve, reject });
      this.pump();
    });
  }

  /** writeBatch of the batches' readings (line protocol is built per point anyway). */
  async writeReadings(batches: readonly ReadingBatch[]): Promise<void> {
    if (this.closing) throw closedError(this.name);
    return this.writeBatch(pointsOfBatches(batches));
  }

  async query(q: RangeQuery): Promise<SeriesPoint[]> {
    if (this.closed) throw closedError(this.name);
    const nq = normalizeQuery(q);
    if (nq.from > nq.to) return [];
    const rows = await this.collect(rangeFlux(this.opts.bucket, nq), (o) => ({
      ts: parseFluxTime(o._time),
      value: Number(o._value),
    }));
    return rows;
  }

  async latest(nodes?: readonly string[]): Promise<StoredPoint[]> {
    if (this.closed) throw closedError(this.name);
    if (nodes !== undefined && nodes.length === 0) return [];
    const start = Number.isFinite(this.latestLookbackMs) ? Math.max(0, this.now() - this.latestLookbackMs) : 0;
    const rows = await this.collect(latestFlux(this.opts.bucket, start, nodes), (o) => ({
      node: String(o.node),
      metric: String(o._measurement),
      deviceId: String(o.device),
      ts: parseFluxTime(o._time),
      value: Number(o._value),
    }));
    return rows;
  }

  async deleteBefore(before: number): Promise<number> {
    if (this.closed) throw closedError(this.name);
    checkCutoff(before);
    if (before <= 0) return 0;
    const counts = await this.collect(countBeforeFlux(this.opts.bucket, before), (o) => Number(o._value));
    const count = counts.reduce((a, b) => a + b, 0);
    if (count === 0) return 0;
    const { org, bucket } = this.opts;
    const path = `/api/v2/delete?org=${encodeURIComponent(org)}&bucket=${encodeURIComponent(bucket)}`;
    try {
      await this.influx.transport.request(
        path,
        { start: new Date(0).toISOString(), stop: new Date(Math.floor(before) - 1).toISOString() }, // stop is inclusive
        { method: 'POST' },
      );
    } catch (err) {
      throw new Error(
        `InfluxDB delete of points before ${new Date(before).toISOString()} failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return count;
  }

  /**
   * Deletes nothing: InfluxDB expires data by the bucket's retention period (set it when creating
   * the bucket, e.g. `DOCKER_INFLUXDB_INIT_RETENTION`), far cheaper than delete requests, and
   * downsampling there is a Flux task. Checks the policy so a bad one fails the same everywhere.
   */
  async applyRetention(policy: RetentionPolicy, now: number): Promise<RetentionResult> {
    if (this.closed) throw closedError(this.name);
    checkRetentionPolicy(policy);
    void now;
    return { raw: 0, minute: 0, hour: 0 };
  }

  health(): StoreHealth {
    const s = this.stats;
    const detail =
      `${this.name} ` +
      `${this.opts.url}${this.name === 'InfluxDB' ? ` bucket ${this.opts.bucket}` : ''}: ` +
      `${s.ackedLines} points acknowledged, ` +
      `${s.failedRequests} failed requests (${s.retries} retries), ` +
      (`buffer ${this.buffered}/${this.opts.maxBufferLines} lines ` +
        `(${this.inFlight}/${this.opts.maxInFlight} requests in flight), `) +
      `${s.refusedLines} lines refused as over the buffer, ${s.rejectedPoints} malformed points rejected` +
      (this.lastError !== null ? `; writes failing: ${this.lastError}` : '');
    if (this.closed) return { ok: false, backend: 'influxdb', detail: `closed; ${detail}` };
    return { ok: s.consecutiveFailures === 0, backend: 'influxdb', detail };
  }

  /** Waits for every queued write to settle (each within maxRetryTimeMs), then closes. Idempotent. */
  close(): Promise<void> {
    if (this.closePromise === null) {
      this.closing = true;
      this.closePromise = (async () => {
        await this.drained();
        await this.writeApi.close().catch(() => {});
        this.encoder.clear();
        this.closed = true;
      })();
    }
    return this.closePromise;
  }

  private pump(): void {
    while (this.inFlight < this.opts.maxInFlight && this.queue.length > 0) {
      const lines: string[] = [];
      const owners: PendingWrite[] = [];
      while (lines.length < this.opts.batchSize && this.queue.length > 0) {
        const w = this.queue[0]!;
        const take = Math.min(this.opts.batchSize - lines.length, w.lines.length - w.next);
        for (let i = w.next; i < w.next + take; i++) lines.push(w.lines[i]!);
        w.next += take;
        w.outstanding++;
        owners.push(w);
        if (w.next === w.lines.length) this.queue.shift();
      }
      this.inFlight++;
      this.sendWithRetry(lines)
        .then(
          () => this.settle(owners, null),
          (err: Error) => this.settle(owners, err),
        )
        .finally(() => {
          this.inFlight--;
          this.buffered -= lines.length;
          this.pump();
          if (this.inFlight === 0 && this.queue.length === 0) for (const wake of this.drainWaiters.splice(0)) wake();
        });
    }
  }

  private settle(owners: readonly PendingWrite[], err: Error | null): void {
    for (const w of owners) {
      w.outstanding--;
      if (err !== null && w.error === null) w.error = err;
      if (w.outstanding === 0 && w.next === w.lines.length) {
        if (w.error === null) w.resolve();
        else {
          w.reject(
            new Error(`${this.name} did not acknowledge a batch of ${w.lines.length} points: ${w.error.message}`, {
              cause: w.error,
            }),
          );
        }
      }
    }
  }

  private async sendWithRetry(lines: string[]): Promise<void> {
    const deadline = Date.now() + this.opts.maxRetryTimeMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sendOnce(lines);
        return;
      } catch (err) {
        const delay = this.retryDelay(err as Error, attempt);
        if (!canRetryHttpCall(err) || Date.now() + delay > deadline) {
          this.log.error({ err, lines: lines.length, attempt }, `${this.name} write failed`);
          throw err;
        }
        this.stats.retries++;
        this.log.warn({ err, attempt, delayMs: delay }, `${this.name} write failed; retrying`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** One request with exactly these lines: the WriteApi's buffer is filled and flushed in the same tick. */
  private sendOnce(lines: string[]): Promise<void> {
    this.writeApi.writeRecords(lines);
    return this.writeApi.flush();
  }

  private retryDelay(err: Error, attempt: number): number {
    const exp = Math.min(this.opts.maxRetryDelayMs, this.opts.minRetryDelayMs * 2 ** (attempt - 1));
    const hinted = err as unknown as { retryAfter?: () => number };
    const retryAfter = typeof hinted.retryAfter === 'function' ? hinted.retryAfter() : 0; // a server's Retry-After
    const jitter = Math.random() * Math.min(100, exp / 4);
    return Math.min(this.opts.maxRetryDelayMs, Math.max(exp, retryAfter)) + jitter;
  }

  private drained(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private async collect<T>(fluxText: string, map: (row: Record<string, unknown>) => T): Promise<T[]> {
    try {
      return await this.queryApi.collectRows(fluxText, (values, meta) => map(meta.toObject(values)));
    } catch (err) {
      throw new Error(
        `InfluxDB query failed (${this.opts.url}, bucket ${this.opts.bucket}): ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}
