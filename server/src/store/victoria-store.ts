import type { ReadingBatch } from '@opsroom/models';
import { InfluxStore } from './influx-store.js';
import type { InfluxStoreOptions } from './influx-store.js';
import type { StoreLogger } from './logger.js';
import { silentLogger } from './logger.js';
import type { RetentionPolicy, RetentionResult } from './retention.js';
import { checkRetentionPolicy } from './retention.js';
import type { Aggregate, RangeQuery, SeriesPoint, StoreHealth, StoredPoint, TimeSeriesStore } from './store.js';
import { checkCutoff, closedError, normalizeQuery } from './validate.js';
import {
  allSelector,
  clampRange,
  lastExpressions,
  metricOfName,
  msOfPromTime,
  parseExport,
  parseQueryAnswer,
  perNameExpression,
  planWindows,
  promTime,
  seriesSelector,
  windowExpression,
} from './victoria-promql.js';
import type { PromSeries } from './victoria-promql.js';

export interface VictoriaStoreOptions {
  /**
   * Base URL of a VictoriaMetrics single-node server (or vminsert/vmselect behind one URL), e.g. http://127.0.0.1:8428.
   */
  url: string;
  /**
   * HTTP basic auth, for a server started with `-httpAuth.username` and `-httpAuth.password` (or behind vmauth):
   * sent with every write and read. Absent: no authentication.
   */
  username?: string;
  password?: string;
  /** How far back latest() looks, ms (default DEFAULT_VICTORIA_STORE_OPTIONS.latestLookbackMs). */
  latestLookbackMs?: number;
  /** Timeout of one read request, ms. */
  readTimeoutMs?: number;
  /**
   * Calls /internal/force_flush before every read so that a read sees every acknowledged write at
   * once (tests). Without it a write becomes readable within about a second.
   */
  flushBeforeRead?: boolean;
  /** Write batching and retries (the InfluxStore write path, see influx-store.ts). */
  write?: Omit<
    InfluxStoreOptions,
    'url' | 'org' | 'bucket' | 'token' | 'authorization' | 'logger' | 'now' | 'latestLookbackMs' | 'serverName'
  >;
  logger?: StoreLogger;
  /** Clock of latest() (tests). */
  now?: () => number;
}

export const DEFAULT_VICTORIA_STORE_OPTIONS = Object.freeze({
  // 1 h: start-up seeds the live view from the newest point of each series of the last hour
  latestLookbackMs: 3_600_000,
  readTimeoutMs: 30_000,
});

/** What the server's flags should be; checked once at start (GET /flags lists the flags set). */
const RECOMMENDED_FLAGS = '-dedup.minScrapeInterval=1ms -search.latencyOffset=1s';

/**
 * VictoriaMetrics backend: writes InfluxDB line protocol over HTTP, reads with MetricsQL.
 *
 * Writing: the InfluxStore write path (same batching, bound on requests in flight, retries and
 * acknowledgement: a writeBatch resolves when VictoriaMetrics answered 2xx to every line) to
 * `/api/v2/write`. A point is the series `<metric>_value{node, device}` (VictoriaMetrics names a
 * line's series `<measurement>_<field>`).
 *
 * Reading, each a bounded request:
 * - raw points: `/api/v1/export` of the node's series over [from, to] (ms, both ends included);
 * - windows: `/api/v1/query_range` with a rollup over each window, summed (or min/max) over every
 *   device, evaluated at the window's last ms with the window as lookbehind, so the window is
 *   [b, b + w) exactly; windows the range cuts are evaluated apart with a shorter lookbehind, so
 *   nothing outside [from, to] is aggregated (victoria-promql.ts `planWindows`). `last` asks each
 *   device's last value and its time and keeps the newest. Queries pass `nocache=1`: the rollup
 *   cache would hide readings back-filled into a range already asked for, and aligns the start;
 * - latest: instant queries `last_over_time` / `tlast_over_time` over the last `latestLookbackMs`.
 *
 * What VictoriaMetrics does not promise as other stores do (server/src/store/README.md):
 * - Duplicates: with `-dedup.minScrapeInterval=1ms` one point per (series, ms) is kept, which one of
 *   two different values is left to VictoriaMetrics (not always the first); without the flag a
 *   redelivered reading is stored twice. Identical redeliveries (QoS 1) are harmless with the flag.
 * - Deletion: there is no delete of a time range; deleteBefore rejects, applyRetention deletes
 *   nothing. Retention is the server's `-retentionPeriod` (one tier: open-source VictoriaMetrics has
 *   no downsampling; long ranges are rolled up at query time).
 * - Visibility: a write is readable within ~1 s (in-memory buffers), and windows newer than
 *   `-search.latencyOffset` (30 s by default) are left out of query_range answers.
 */
export class VictoriaMetricsStore implements TimeSeriesStore {
  readonly latestAtStartup = true;
  private readonly url: string;
  private readonly writer: InfluxStore;
  private readonly log: StoreLogger;
  private readonly now: () => number;
  private readonly latestLookbackMs: number;
  private readonly readTimeoutMs: number;
  private readonly flushBeforeRead: boolean;
  /** The basic-auth header of every request, or nothing. */
  private readonly auth: { authorization?: string };
  private readonly warnings: string[] = [];
  private readonly serverCheck: Promise<void>;
  private closed = false;
  private closePromise: Promise<void> | null = null;

  constructor(options: VictoriaStoreOptions) {
    if (typeof options?.url !== 'string' || !/^https?:\/\/./.test(options.url)) {
      throw new Error(`the VictoriaMetrics store needs an http:// or https:// \`url\` (got ${String(options?.url)})`);
    }
    this.url = options.url.replace(/\/+$/, '');
    this.log = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.latestLookbackMs = options.latestLookbackMs ?? DEFAULT_VICTORIA_STORE_OPTIONS.latestLookbackMs;
    this.readTimeoutMs = options.readTimeoutMs ?? DEFAULT_VICTORIA_STORE_OPTIONS.readTimeoutMs;
    if (!Number.isSafeInteger(this.latestLookbackMs) || this.latestLookbackMs < 1) {
      throw new Error(
        `VictoriaMetricsStore option latestLookbackMs must be a positive integer of ms (got ${this.latestLookbackMs})`,
      );
    }
    this.flushBeforeRead = options.flushBeforeRead ?? false;
    if ((options.username === undefined) !== (options.password === undefined))
      throw new Error('the VictoriaMetrics store needs both a user name and a password for basic auth, or neither');
    if (options.username?.includes(':'))
      throw new Error('a VictoriaMetrics user name cannot hold ":" (HTTP basic auth separates it from the password)');
    this.auth =
      options.username === undefined
        ? {}
        : {
            authorization: `Basic ${Buffer.from(`${options.username}:${options.password!}`, 'utf8').toString('base64')}`,
          };
    // org, bucket and token are ignored by VictoriaMetrics; the client needs them non-empty.
    this.writer = new InfluxStore({
      ...options.write,
      url: this.url,
      org: 'opsroom',
      bucket: 'opsroom',
      token: 'none',
      ...this.auth,
      serverName: 'VictoriaMetrics',
      logger: this.log,
    });
    this.serverCheck = this.checkServer();
  }

  writeBatch(points: readonly StoredPoint[]): Promise<void> {
    return this.writer.writeBatch(points);
  }

  writeReadings(batches: readonly ReadingBatch[]): Promise<void> {
    return this.writer.writeReadings(batches);
  }

  async query(q: RangeQuery): Promise<SeriesPoint[]> {
    if (this.closed) throw closedError('VictoriaMetrics');
    const nq = normalizeQuery(q);
    const range = clampRange(nq.from, nq.to);
    if (range === null) return [];
    await this.flushIfAsked();
    const selector = seriesSelector(nq.node, nq.metric);
    if (nq.windowMs === undefined) {
      return parseExport(
        await this.request(
          '/api/v1/export',
          { 'match[]': selector, start: promTime(range.from), end: promTime(range.to) },
          'text',
        ),
      );
    }
    const w = nq.windowMs;
    const plan = planWindows(range.from, range.to, w);
    const windows = new Map<number, number>();
    const evaluations: Promise<void>[] = [];
    for (const run of plan.runs)
      evaluations.push(this.evaluate(selector, nq.aggregate, w, run.first + w - 1, run.last + w - 1, w, windows));
    for (const c of plan.clipped)
      evaluations.push(this.evaluate(selector, nq.aggregate, c.lookbehindMs, c.at, c.at, w, windows, c.bucket));
    await Promise.all(evaluations);
    return [...windows].sort((a, b) => a[0] - b[0]).map(([ts, value]) => ({ ts, value }));
  }

  async latest(nodes?: readonly string[]): Promise<StoredPoint[]> {
    if (this.closed) throw closedError('VictoriaMetrics');
    if (nodes !== undefined && nodes.length === 0) return [];
    await this.serverCheck; // started with the store: its warnings are known by the time start-up logs them
    await this.flushIfAsked();
    const at = this.now();
    const from = Math.max(0, at - this.latestLookbackMs);
    const names: unknown = await this.request(
      '/api/v1/label/__name__/values',
      { 'match[]': allSelector(nodes), start: promTime(from), end: promTime(at) },
      'json',
    );
    const stored =
      ((names as { data?: unknown }).data as string[] | undefined)?.filter((n) => metricOfName(n) !== null) ?? [];
    if (stored.length === 0) return [];
    const instant = (fn: 'last_over_time' | 'tlast_over_time') =>
      this.promQuery('/api/v1/query', {
        query: perNameExpression(fn, stored, this.latestLookbackMs, nodes),
        time: promTime(at),
      });
    const [values, times] = await Promise.all([instant('last_over_time'), instant('tlast_over_time')]);
    const key = (m: Record<string, string>) => `${m.opsroom_name}\u0000${m.node}\u0000${m.device}`;
    const timeOf = new Map<string, number>();
    for (const s of times) if (s.values[0]) timeOf.set(key(s.metric), msOfPromTime(s.values[0][1]));
    const wanted = nodes === undefined ? null : new Set(nodes);
    const out: StoredPoint[] = [];
    for (const s of values) {
      const m = s.metric;
      const ts = timeOf.get(key(m));
      const value = Number(s.values[0]?.[1]);
      const metric = metricOfName(m.opsroom_name ?? '');
      if (ts === undefined || !Number.isFinite(value) || metric === null || !m.node || !m.device) continue;
      if (wanted !== null && !wanted.has(m.node)) continue;
      out.push({ node: m.node, metric, deviceId: m.device, ts, value });
    }
    return out;
  }

  /** Rejects: VictoriaMetrics deletes whole series only, never a time range. Retention is its -retentionPeriod. */
  async deleteBefore(before: number): Promise<number> {
    if (this.closed) throw closedError('VictoriaMetrics');
    checkCutoff(before);
    throw new Error(
      `VictoriaMetrics cannot delete points before ` +
        `${new Date(Math.max(0, Math.min(before, 8.64e15))).toISOString()}: it ` +
        `deletes whole series only. ` +
        'Old points go by its -retentionPeriod flag',
    );
  }

  /**
   * Deletes nothing (VictoriaMetrics expires data by its -retentionPeriod); checks the policy so a bad one fails the
   * same everywhere.
   */
  async applyRetention(policy: RetentionPolicy, now: number): Promise<RetentionResult> {
    if (this.closed) throw closedError('VictoriaMetrics');
    checkRetentionPolicy(policy);
    void now;
    return { raw: 0, minute: 0, hour: 0 };
  }

  health(): StoreHealth {
    const w = this.writer.health();
    const detail = w.detail + (this.warnings.length > 0 ? `; ${this.warnings.join('; ')}` : '');
    const warnings = this.warnings.length > 0 ? { warnings: [...this.warnings] } : {};
    if (this.closed)
      return {
        ok: false,
        backend: 'victoriametrics',
        detail: detail.startsWith('closed') ? detail : `closed; ${detail}`,
        ...warnings,
      };
    return { ok: w.ok, backend: 'victoriametrics', detail, ...warnings };
  }

  /** Waits for every queued write to be answered, then closes. Idempotent. */
  close(): Promise<void> {
    if (this.closePromise === null) {
      this.closePromise = (async () => {
        await this.writer.close();
        await this.serverCheck;
        this.closed = true;
      })();
    }
    return this.closePromise;
  }

  /**
   * Evaluates the aggregate at start, start + step, ..., end (ms) with this lookbehind and puts each
   * answer in `into` under (evaluation time + shift): a window's start. `bucket` fixes the stamp of
   * a single clipped window instead.
   */
  private async evaluate(
    selector: string,
    aggregate: Aggregate,
    lookbehindMs: number,
    start: number,
    end: number,
    step: number,
    into: Map<number, number>,
    bucket?: number,
  ): Promise<void> {
    const range = { start: promTime(start), end: promTime(end), step: `${step}ms` };
    const stamp = (t: unknown) => (bucket !== undefined ? bucket : msOfPromTime(t) - (step - 1));
    if (aggregate !== 'last') {
      for (const s of await this.promQuery('/api/v1/query_range', {
        query: windowExpression(selector, aggregate, lookbehindMs),
        ...range,
      })) {
        for (const [t, v] of s.values) {
          const value = Number(v);
          if (Number.isFinite(value)) into.set(stamp(t), value);
        }
      }
      return;
    }
    const exprs = lastExpressions(selector, lookbehindMs);
    const [values, times] = await Promise.all([
      this.promQuery('/api/v1/query_range', { query: exprs.value, ...range }),
      this.promQuery('/api/v1/query_range', { query: exprs.time, ...range }),
    ]);
    // Per evaluation time, the device whose last value is the newest (ties: the first met).
    const best = new Map<number, { at: number; value: number }>();
    const deviceTimes = new Map<string, Map<number, number>>();
    for (const s of times)
      deviceTimes.set(s.metric.device ?? '', new Map(s.values.map(([t, v]) => [msOfPromTime(t), Number(v)])));
    for (const s of values) {
      const tOf = deviceTimes.get(s.metric.device ?? '');
      for (const [t, v] of s.values) {
        const at = msOfPromTime(t);
        const when = tOf?.get(at);
        const value = Number(v);
        if (when === undefined || !Number.isFinite(value)) continue;
        const prev = best.get(at);
        if (prev === undefined || when > prev.at) best.set(at, { at: when, value });
      }
    }
    for (const [t, b] of best) into.set(bucket !== undefined ? bucket : t - (step - 1), b.value);
  }

  private async promQuery(path: string, params: Record<string, string>): Promise<PromSeries[]> {
    return parseQueryAnswer(await this.request(path, { ...params, nocache: '1' }, 'json'));
  }

  private async request(path: string, params: Record<string, string>, as: 'json'): Promise<unknown>;
  private async request(path: string, params: Record<string, string>, as: 'text'): Promise<string>;
  private async request(path: string, params: Record<string, string>, as: 'json' | 'text'): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.auth },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.readTimeoutMs),
      });
    } catch (err) {
      throw new Error(
        `VictoriaMetrics read failed (${this.url}${path}): ${(err as Error).message}; is it running? Retry later`,
        { cause: err },
      );
    }
    const text = await res.text();
    if (!res.ok)
      throw new Error(`VictoriaMetrics read failed (${this.url}${path}): HTTP ${res.status}: ${text.slice(0, 300)}`);
    if (as === 'text') return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`VictoriaMetrics answered ${path} with something other than JSON: ${text.slice(0, 200)}`);
    }
  }

  private async flushIfAsked(): Promise<void> {
    if (!this.flushBeforeRead) return;
    const res = await fetch(`${this.url}/internal/force_flush`, {
      headers: this.auth,
      signal: AbortSignal.timeout(this.readTimeoutMs),
    });
    await res.arrayBuffer();
  }

  /** Reads the server's flags once and warns (log and health detail) about the two this store relies on. */
  private async checkServer(): Promise<void> {
    let flags: string;
    try {
      const res = await fetch(`${this.url}/flags`, { headers: this.auth, signal: AbortSignal.timeout(5_000) });
      flags = await res.text();
      if (!res.ok) return;
    } catch (err) {
      this.log.warn(
        { err, url: this.url },
        'VictoriaMetrics not reachable yet; writes are retried, reads fail until it is',
      );
      return;
    }
    for (const w of flagWarnings(flags)) {
      this.warnings.push(`VictoriaMetrics ${w}; recommended flags: ${RECOMMENDED_FLAGS}`);
      this.log.warn({ url: this.url }, this.warnings.at(-1)!);
    }
  }
}

/** Go duration text ('30s', '1m30s', '500ms') in ms; NaN when it is not one. */
export function goDurationMs(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return Number.NaN;
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]!]!, 0);
}

/**
 * What is wrong with a VictoriaMetrics server's flags for this store, from its /flags page (one
 * `-name="value"` per line, flags left at their default not listed).
 *
 * Example: flagWarnings('-retentionPeriod="1y"') gives two warnings (no dedup, default latency offset).
 */
export function flagWarnings(flags: string): string[] {
  const value = (name: string): string | undefined =>
    new RegExp(`^-${name.replace(/\./g, '\\.')}="([^"]*)"`, 'm').exec(flags)?.[1];
  const out: string[] = [];
  const dedup = value('dedup.minScrapeInterval');
  if (dedup === undefined || !(goDurationMs(dedup) > 0)) {
    out.push(
      `-dedup.minScrapeInterval is ${dedup ?? 'not set'}: a redelivered reading may be stored twice (set it to 1ms)`,
    );
  } else if (goDurationMs(dedup) > 1) {
    out.push(
      `-dedup.minScrapeInterval is ${dedup}: readings of one device closer than that are kept as one (set it to 1ms)`,
    );
  }
  const offset = value('search.latencyOffset');
  if (offset === undefined || goDurationMs(offset) > 1000) {
    out.push(
      `-search.latencyOffset is ${offset ?? '30s (the default)'}: the newest ` +
        `windows of history charts stay empty that long (set it to 1s)`,
    );
  }
  return out;
}
