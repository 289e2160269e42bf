import type { Statement } from 'better-sqlite3';
import type { StoreLogger } from './logger.js';
import { silentLogger } from './logger.js';
import type { OpenDatabaseOptions, SqliteDatabase } from './sqlite-db.js';
import { migrate, openDatabase } from './sqlite-db.js';
import type { RetentionPolicy, RetentionResult } from './retention.js';
import { checkRetentionPolicy } from './retention.js';
import type { Aggregate, RangeQuery, SeriesPoint, StoreHealth, StoredPoint, TimeSeriesStore } from './store.js';
import type { Tier } from './tiers.js';
import { bucketStart } from './aggregate.js';
import { HOUR_TIER, MINUTE_TIER, TIERS, TierBatch, WindowBuilder, tierFor, tierSpan } from './tiers.js';
import { checkCutoff, closedError, normalizeQuery, pointProblem } from './validate.js';

/**
 * Schema of the embedded store, component `timeseries` in `schema_versions` (see migrate()).
 *
 * - `series`: one row per (node, metric), mapped to an integer id once and cached in memory
 *   (PERF-NOTES: a new key string per reading made lookups ~6x slower).
 * - `devices`: device ids mapped to integers the same way (keeps `points` rows small).
 * - `series_devices`: which devices have written to which series. Lets range queries seek per
 *   device (`device_id IN (...)`) and `latest` / `deleteBefore` seek per (series, device) instead
 *   of scanning the whole `points` table.
 * - `points`: raw readings, WITHOUT ROWID, clustered on its primary key (series_id, device_id, ts);
 *   the key makes `INSERT OR IGNORE` idempotent on (node, metric, deviceId, ts): first write wins.
 * - `points_1m`, `points_1h` (step 2): downsampled tiers, one row per (series, bucket) over every
 *   device: n, total, lo, hi, and the last value with its ts and device (at equal ts the lowest
 *   device id wins, as in the raw query). Kept in the write transaction, from the points that
 *   were actually inserted (a duplicate the raw table ignores is not counted); step 2 backfills
 *   them from the points already stored. Window queries whose width is a multiple of a tier's
 *   read whole buckets from the coarsest such tier and raw points only for the partial buckets
 *   at the ends of the range (tiers.ts).
 *
 * Retention (applyRetention) deletes raw points and tier buckets by age, each with its own limit,
 * so long ranges stay answerable from the tiers after raw points are gone. Known limit: a point
 * redelivered after retention deleted its raw copy is inserted again and counted a second time in
 * its (old) tier buckets; with raw kept 7 days this needs a week-old redelivery.
 *
 * Add further changes as new entries of SCHEMA, never by editing an applied one.
 */
const SCHEMA: readonly string[] = [
  `CREATE TABLE series (
     id INTEGER PRIMARY KEY,
     node TEXT NOT NULL,
     metric TEXT NOT NULL,
     UNIQUE (node, metric)
   );
   CREATE TABLE devices (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE
   );
   CREATE TABLE series_devices (
     series_id INTEGER NOT NULL,
     device_id INTEGER NOT NULL,
     PRIMARY KEY (series_id, device_id)
   ) WITHOUT ROWID;
   CREATE TABLE points (
     series_id INTEGER NOT NULL,
     device_id INTEGER NOT NULL,
     ts INTEGER NOT NULL,
     value REAL NOT NULL,
     PRIMARY KEY (series_id, device_id, ts)
   ) WITHOUT ROWID;`,
  TIERS.map((t) => tierTableSql(t)).join('\n'),
];

/**
 * Creates a tier table and fills it from the raw points already stored (a database written
 * before tiers existed). ORDER BY ts DESC, device_id picks the same `last` as the write path.
 */
function tierTableSql(t: Tier): string {
  const w = t.widthMs;
  return `CREATE TABLE ${t.table} (
     series_id INTEGER NOT NULL,
     bucket INTEGER NOT NULL,
     n INTEGER NOT NULL,
     total REAL NOT NULL,
     lo REAL NOT NULL,
     hi REAL NOT NULL,
     last_ts INTEGER NOT NULL,
     last_dev INTEGER NOT NULL,
     last_value REAL NOT NULL,
     PRIMARY KEY (series_id, bucket)
   ) WITHOUT ROWID;
   INSERT INTO ${t.table} (series_id, bucket, n, total, lo, hi, last_ts, last_dev, last_value)
   SELECT series_id, bucket, count(*), sum(value), min(value), max(value),
          max(CASE WHEN rn = 1 THEN ts END), max(CASE WHEN rn = 1 THEN device_id END), max(CASE WHEN rn = 1 THEN value END)
   FROM (SELECT series_id, device_id, ts, value, (ts / ${w}) * ${w} AS bucket,
                row_number() OVER (PARTITION BY series_id, (ts / ${w}) * ${w} ORDER BY ts DESC, device_id) AS rn
         FROM points)
   GROUP BY series_id, bucket;`;
}

/** Merges a batch's partial bucket into the stored one (every column right of SET reads the old row). */
function tierUpsertSql(t: Tier): string {
  const newer = '(excluded.last_ts > last_ts OR (excluded.last_ts = last_ts AND excluded.last_dev < last_dev))';
  return `INSERT INTO ${t.table} (series_id, bucket, n, total, lo, hi, last_ts, last_dev, last_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (series_id, bucket) DO UPDATE SET
      n = n + excluded.n, total = total + excluded.total, lo = min(lo, excluded.lo), hi = max(hi, excluded.hi),
      last_value = CASE WHEN ${newer} THEN excluded.last_value ELSE last_value END,
      last_dev = CASE WHEN ${newer} THEN excluded.last_dev ELSE last_dev END,
      last_ts = max(last_ts, excluded.last_ts)`;
}

/** Series id plus the devices known (in this process) to have written to it. */
interface SeriesEntry {
  id: number;
  devices: Set<number>;
}

export interface SqliteStoreOptions extends OpenDatabaseOptions {
  logger?: StoreLogger;
  /**
   * Answer window queries from the downsampled tiers when the window allows (default true).
   * false reads raw points only (the tiers are still written): for comparisons and diagnosis.
   */
  readTiers?: boolean;
}

const RANGE_WHERE = `series_id = @s
  AND device_id IN (SELECT device_id FROM series_devices WHERE series_id = @s)
  AND ts >= @from AND ts <= @to`;

const BUCKET = '(ts / CAST(@w AS INTEGER)) * CAST(@w AS INTEGER)';

/** SQL of each window aggregate. `last` relies on SQLite's bare column next to max(): `value` comes from the row with the greatest ts. */
const AGGREGATE_SQL: Record<Aggregate, string> = {
  mean: `SELECT ${BUCKET} AS bucket, avg(value) AS value FROM points WHERE ${RANGE_WHERE} GROUP BY 1 ORDER BY 1`,
  min: `SELECT ${BUCKET} AS bucket, min(value) AS value FROM points WHERE ${RANGE_WHERE} GROUP BY 1 ORDER BY 1`,
  max: `SELECT ${BUCKET} AS bucket, max(value) AS value FROM points WHERE ${RANGE_WHERE} GROUP BY 1 ORDER BY 1`,
  count: `SELECT ${BUCKET} AS bucket, count(*) AS value FROM points WHERE ${RANGE_WHERE} GROUP BY 1 ORDER BY 1`,
  last: `SELECT ${BUCKET} AS bucket, value, max(ts) AS newest FROM points WHERE ${RANGE_WHERE} GROUP BY 1 ORDER BY 1`,
};

const LATEST_SQL = `SELECT s.node AS node, s.metric AS metric, d.name AS deviceId, p.ts AS ts, p.value AS value
  FROM series_devices sd
  JOIN series s ON s.id = sd.series_id
  JOIN devices d ON d.id = sd.device_id
  JOIN points p ON p.series_id = sd.series_id AND p.device_id = sd.device_id
   AND p.ts = (SELECT max(ts) FROM points WHERE series_id = sd.series_id AND device_id = sd.device_id)`;

/** Limits of one delete transaction (the event loop gets a turn between transactions). */
const DELETE_ROWS_PER_TRANSACTION = 5_000;
const DELETE_UNITS_PER_TRANSACTION = 500;

const yieldTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The embedded store: SQLite through better-sqlite3, in `<dataDir>/opsroom.db`.
 *
 * Durability: each writeBatch is one transaction; when its promise resolves the transaction has
 * committed to the WAL. With `synchronous=NORMAL` (the default, chosen for speed) that survives
 * SIGKILL or a crash of this process but not an OS crash or power cut; open with
 * `{ synchronous: 'FULL' }` to survive those too (sqlite-db.ts). Tested by
 * test/store/sqlite-crash.test.ts.
 *
 * better-sqlite3 is synchronous: a call blocks the event loop while it runs (a few milliseconds
 * per 1,000-point batch with the tiers); deleteBefore and applyRetention delete at most
 * 5,000 rows per transaction and yield between transactions.
 */
export class SqliteStore implements TimeSeriesStore {
  /** Opens (creating when missing) `<dataDir>/opsroom.db` with its own connection, closed by close(). */
  static open(dataDir: string, opts: SqliteStoreOptions = {}): SqliteStore {
    const db = openDatabase(dataDir, opts);
    try {
      return new SqliteStore(db, true, opts.logger ?? silentLogger, opts.readTiers ?? true);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * A store over a connection the caller opened with openDatabase() and shares with other modules;
   * close() leaves that connection open (its opener closes it).
   */
  static onDatabase(db: SqliteDatabase, opts: { logger?: StoreLogger; readTiers?: boolean } = {}): SqliteStore {
    return new SqliteStore(db, false, opts.logger ?? silentLogger, opts.readTiers ?? true);
  }

  private readonly seriesCache = new Map<string, Map<string, SeriesEntry>>();
  private readonly deviceCache = new Map<string, number>();
  private readonly insertPoint: Statement;
  private readonly insertSeries: Statement;
  private readonly selectSeries: Statement;
  private readonly insertDevice: Statement;
  private readonly selectDevice: Statement;
  private readonly insertPair: Statement;
  private readonly rawQuery: Statement;
  private readonly aggregateQueries = new Map<Aggregate, Statement>();
  private readonly edgeQuery: Statement;
  private readonly tierUpsert = new Map<Tier, Statement>();
  private readonly tierQuery = new Map<Tier, Statement>();
  private readonly tierWindowQueries = new Map<string, Statement>();
  private readonly writeTx: (points: readonly StoredPoint[]) => void;
  private closed = false;
  private rejected = 0;
  private lastWriteError: string | null = null;
  private readonly synchronous: string;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly ownsDb: boolean,
    private readonly log: StoreLogger,
    private readonly readTiers: boolean,
  ) {
    migrate(db, 'timeseries', SCHEMA);
    const sync = db.pragma('synchronous', { simple: true });
    this.synchronous = sync === 2 ? 'FULL' : sync === 3 ? 'EXTRA' : sync === 1 ? 'NORMAL' : 'OFF';
    this.insertPoint = db.prepare('INSERT OR IGNORE INTO points (series_id, device_id, ts, value) VALUES (?, ?, ?, ?)');
    this.insertSeries = db.prepare('INSERT INTO series (node, metric) VALUES (?, ?) ON CONFLICT (node, metric) DO NOTHING');
    this.selectSeries = db.prepare('SELECT id FROM series WHERE node = ? AND metric = ?').pluck();
    this.insertDevice = db.prepare('INSERT INTO devices (name) VALUES (?) ON CONFLICT (name) DO NOTHING');
    this.selectDevice = db.prepare('SELECT id FROM devices WHERE name = ?').pluck();
    this.insertPair = db.prepare('INSERT OR IGNORE INTO series_devices (series_id, device_id) VALUES (?, ?)');
    this.rawQuery = db.prepare(`SELECT ts, value FROM points WHERE ${RANGE_WHERE} ORDER BY ts, device_id`);
    this.edgeQuery = db.prepare(`SELECT ts, device_id, value FROM points WHERE ${RANGE_WHERE} ORDER BY ts, device_id`).raw();
    for (const t of TIERS) {
      this.tierUpsert.set(t, db.prepare(tierUpsertSql(t)));
      this.tierQuery.set(
        t,
        db
          .prepare(
            `SELECT bucket, n, total, lo, hi, last_ts, last_dev, last_value FROM ${t.table}
             WHERE series_id = @s AND bucket >= @from AND bucket < @to ORDER BY bucket`,
          )
          .raw(),
      );
    }
    this.writeTx = db.transaction((points: readonly StoredPoint[]) => {
      const tiers = new TierBatch();
      for (const p of points) {
        if (pointProblem(p) !== null) {
          this.rejected++;
          continue;
        }
        const series = this.seriesFor(p.node, p.metric);
        const device = this.deviceFor(p.deviceId);
        if (!series.devices.has(device)) {
          this.insertPair.run(series.id, device);
          series.devices.add(device);
        }
        if (this.insertPoint.run(series.id, device, p.ts, p.value).changes === 1) tiers.add(series.id, device, p.ts, p.value);
      }
      tiers.forEach((tier, series, bucket, a) => {
        this.tierUpsert.get(tier)!.run(series, bucket, a.n, a.sum, a.min, a.max, a.lastTs, a.lastDev, a.last);
      });
    });
  }

  /** Points skipped by writeBatch because they were malformed (see pointProblem). */
  get rejectedPoints(): number {
    return this.rejected;
  }

  async writeBatch(points: readonly StoredPoint[]): Promise<void> {
    if (this.closed) throw closedError('sqlite');
    if (points.length === 0) return;
    try {
      this.writeTx(points);
      this.lastWriteError = null;
    } catch (err) {
      // The transaction rolled back: ids cached during it may not exist. Forget them all.
      this.seriesCache.clear();
      this.deviceCache.clear();
      this.lastWriteError = (err as Error).message;
      this.log.error({ err }, 'time-series write failed');
      throw new Error(`writing ${points.length} points to SQLite failed (nothing of this batch was stored): ${(err as Error).message}`);
    }
  }

  async query(q: RangeQuery): Promise<SeriesPoint[]> {
    if (this.closed) throw closedError('sqlite');
    const nq = normalizeQuery(q);
    const id = this.existingSeriesId(nq.node, nq.metric);
    if (id === undefined || nq.from > nq.to) return [];
    const params = { s: id, from: nq.from, to: nq.to };
    if (nq.windowMs === undefined) return this.rawQuery.all(params) as SeriesPoint[];
    const tier = this.readTiers ? tierFor(nq.windowMs) : undefined;
    const span = tier === undefined ? null : tierSpan(nq.from, nq.to, tier.widthMs);
    if (tier !== undefined && span !== null) return this.queryTier(id, tier, span, nq.windowMs, nq.aggregate);
    let stmt = this.aggregateQueries.get(nq.aggregate);
    if (stmt === undefined) this.aggregateQueries.set(nq.aggregate, (stmt = this.db.prepare(AGGREGATE_SQL[nq.aggregate])));
    const rows = stmt.raw().all({ ...params, w: nq.windowMs }) as [number, number][];
    return rows.map((r) => ({ ts: r[0], value: r[1] }));
  }

  /**
   * A window query answered from `tier`, fed oldest first into one WindowBuilder: raw points before
   * the first whole bucket, then whole buckets — those sharing a window with raw points as
   * partial state, the windows in between reduced by SQL (fewer columns to read: the bulk of the
   * cost) — then raw points after the last whole bucket.
   */
  private queryTier(id: number, tier: Tier, span: NonNullable<ReturnType<typeof tierSpan>>, w: number, aggregate: Aggregate): SeriesPoint[] {
    const out = new WindowBuilder(w, aggregate);
    const { fromI, toI, fullFrom, fullEnd } = span;
    // Whole buckets in the window of the first raw edge point, and in that of the last one.
    const headEnd = fromI < fullFrom ? Math.min(fullEnd, bucketStart(fromI, w) + w) : fullFrom;
    const tailStart = toI >= fullEnd ? Math.max(headEnd, bucketStart(toI, w)) : fullEnd;
    const edge = (from: number, to: number): void => {
      if (from > to) return;
      for (const r of this.edgeQuery.all({ s: id, from, to }) as [number, number, number][]) out.point(r[0], r[1], r[2]);
    };
    const buckets = (from: number, to: number): void => {
      if (from >= to) return;
      for (const b of this.tierQuery.get(tier)!.all({ s: id, from, to }) as number[][]) out.bucket(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!);
    };
    edge(fromI, fullFrom - 1);
    buckets(fullFrom, headEnd);
    if (headEnd < tailStart) {
      const one = w === tier.widthMs;
      const params = one ? { s: id, from: headEnd, to: tailStart } : { s: id, from: headEnd, to: tailStart, w };
      for (const r of this.tierWindowStatement(tier, aggregate, one).all(params) as [number, number][]) out.window(r[0], r[1]);
    }
    buckets(tailStart, fullEnd);
    edge(fullEnd, toI);
    return out.finish();
  }

  /** (window start, value) per window from whole tier buckets; `last` uses the bare column of max(last_ts) (buckets never share a ts). */
  private tierWindowStatement(tier: Tier, aggregate: Aggregate, oneBucketPerWindow: boolean): Statement {
    const key = `${tier.table} ${aggregate} ${oneBucketPerWindow}`;
    let stmt = this.tierWindowQueries.get(key);
    if (stmt !== undefined) return stmt;
    const where = `WHERE series_id = @s AND bucket >= @from AND bucket < @to`;
    const perBucket: Record<Aggregate, string> = { mean: 'total / n', min: 'lo', max: 'hi', count: 'n', last: 'last_value' };
    const perWindow: Record<Aggregate, string> = {
      mean: 'sum(total) / sum(n)',
      min: 'min(lo)',
      max: 'max(hi)',
      count: 'sum(n)',
      last: 'last_value, max(last_ts)',
    };
    const sql = oneBucketPerWindow
      ? `SELECT bucket, ${perBucket[aggregate]} FROM ${tier.table} ${where} ORDER BY bucket`
      : `SELECT (bucket / CAST(@w AS INTEGER)) * CAST(@w AS INTEGER), ${perWindow[aggregate]} FROM ${tier.table} ${where} GROUP BY 1 ORDER BY 1`;
    stmt = this.db.prepare(sql).raw();
    this.tierWindowQueries.set(key, stmt);
    return stmt;
  }

  async latest(nodes?: readonly string[]): Promise<StoredPoint[]> {
    if (this.closed) throw closedError('sqlite');
    const order = ' ORDER BY s.node, s.metric, d.name';
    if (nodes === undefined) return this.db.prepare(LATEST_SQL + order).all() as StoredPoint[];
    if (nodes.length === 0) return [];
    return this.db
      .prepare(`${LATEST_SQL} WHERE s.node IN (SELECT value FROM json_each(?))${order}`)
      .all(JSON.stringify(nodes)) as StoredPoint[];
  }

  /** Deletes raw points older than `before`; the tiers keep their buckets (see applyRetention). */
  async deleteBefore(before: number): Promise<number> {
    if (this.closed) throw closedError('sqlite');
    checkCutoff(before);
    return this.deleteRawBefore(before);
  }

  /**
   * Deletes what `policy` says is too old at `now` (ms epoch): raw points older than
   * `now - rawMs`, 1-minute buckets wholly older than `now - minuteMs`, 1-hour buckets wholly
   * older than `now - hourMs` (none when hourMs is omitted). Deletes at most 5,000 rows per
   * transaction and yields to the event loop between them; stops early when the store is closed.
   * Rejects with a RangeError for a bad policy. Run it periodically (scheduleRetention).
   */
  async applyRetention(policy: RetentionPolicy, now: number): Promise<RetentionResult> {
    if (this.closed) throw closedError('sqlite');
    checkRetentionPolicy(policy);
    if (typeof now !== 'number' || !Number.isFinite(now)) throw new RangeError(`applyRetention needs now as ms since the epoch (got ${String(now)})`);
    const raw = await this.deleteRawBefore(now - policy.rawMs);
    const minute = await this.deleteTierBefore(MINUTE_TIER, now - policy.minuteMs);
    const hour = policy.hourMs === undefined ? 0 : await this.deleteTierBefore(HOUR_TIER, now - policy.hourMs);
    return { raw, minute, hour };
  }

  /** How many buckets a tier holds (for tests and benchmarks). */
  async tierBuckets(tier: 'minute' | 'hour'): Promise<number> {
    if (this.closed) throw closedError('sqlite');
    const t = tier === 'minute' ? MINUTE_TIER : HOUR_TIER;
    return this.db.prepare(`SELECT count(*) FROM ${t.table}`).pluck().get() as number;
  }

  private deleteRawBefore(before: number): Promise<number> {
    const pairs = this.db.prepare('SELECT series_id, device_id FROM series_devices').raw().all() as [number, number][];
    const boundary = this.db.prepare('SELECT ts FROM points WHERE series_id = ? AND device_id = ? AND ts < ? ORDER BY ts LIMIT 1 OFFSET ?').pluck();
    const del = this.db.prepare('DELETE FROM points WHERE series_id = ? AND device_id = ? AND ts < ?');
    return this.chunkedDelete(pairs, ([s, d], budget) => {
      // The budget-th oldest point below the cut-off (ts is unique per pair): delete up to it.
      const edge = boundary.get(s, d, before, budget) as number | undefined;
      if (edge === undefined) return { deleted: del.run(s, d, before).changes, done: true };
      return { deleted: del.run(s, d, edge).changes, done: false };
    });
  }

  /** Deletes the buckets of `tier` that end at or before `cutoff` (the bucket holding it stays). */
  private deleteTierBefore(tier: Tier, cutoff: number): Promise<number> {
    const below = Math.floor(cutoff / tier.widthMs) * tier.widthMs;
    const series = this.db.prepare('SELECT id FROM series').pluck().all() as number[];
    const boundary = this.db.prepare(`SELECT bucket FROM ${tier.table} WHERE series_id = ? AND bucket < ? ORDER BY bucket LIMIT 1 OFFSET ?`).pluck();
    const del = this.db.prepare(`DELETE FROM ${tier.table} WHERE series_id = ? AND bucket < ?`);
    return this.chunkedDelete(series, (s, budget) => {
      const edge = boundary.get(s, below, budget) as number | undefined;
      if (edge === undefined) return { deleted: del.run(s, below).changes, done: true };
      return { deleted: del.run(s, edge).changes, done: false };
    });
  }

  /**
   * Runs `step` over `units` in transactions of at most DELETE_ROWS_PER_TRANSACTION rows and
   * DELETE_UNITS_PER_TRANSACTION step calls, yielding between them. `step(unit, budget)` deletes
   * at most `budget` rows and says whether the unit is finished (if not, it deleted exactly `budget`).
   */
  private async chunkedDelete<U>(units: readonly U[], step: (unit: U, budget: number) => { deleted: number; done: boolean }): Promise<number> {
    let i = 0;
    const tx = this.db.transaction((): number => {
      let deleted = 0;
      for (let calls = 0; i < units.length && calls < DELETE_UNITS_PER_TRANSACTION && deleted < DELETE_ROWS_PER_TRANSACTION; calls++) {
        const r = step(units[i]!, DELETE_ROWS_PER_TRANSACTION - deleted);
        deleted += r.deleted;
        if (r.done) i++;
      }
      return deleted;
    });
    let total = 0;
    while (i < units.length) {
      if (total > 0 || i > 0) {
        await yieldTurn();
        if (this.closed) break;
      }
      total += tx();
    }
    return total;
  }

  /** How many raw points are stored (a full count: for tests and benchmarks). */
  async count(): Promise<number> {
    if (this.closed) throw closedError('sqlite');
    return this.db.prepare('SELECT count(*) FROM points').pluck().get() as number;
  }

  health(): StoreHealth {
    if (this.closed) return { ok: false, backend: 'sqlite', detail: 'closed' };
    if (!this.db.open) return { ok: false, backend: 'sqlite', detail: `${this.db.name}: the shared database connection was closed` };
    const base = `${this.db.name} (WAL, synchronous=${this.synchronous}); ${this.rejected} malformed points rejected`;
    if (this.lastWriteError !== null) return { ok: false, backend: 'sqlite', detail: `${base}; last write failed: ${this.lastWriteError}` };
    return { ok: true, backend: 'sqlite', detail: base };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.seriesCache.clear();
    this.deviceCache.clear();
    if (this.ownsDb) this.db.close();
  }

  private seriesFor(node: string, metric: string): SeriesEntry {
    let metrics = this.seriesCache.get(node);
    if (metrics === undefined) this.seriesCache.set(node, (metrics = new Map()));
    let entry = metrics.get(metric);
    if (entry === undefined) {
      this.insertSeries.run(node, metric);
      entry = { id: this.selectSeries.get(node, metric) as number, devices: new Set() };
      metrics.set(metric, entry);
    }
    return entry;
  }

  private deviceFor(name: string): number {
    let id = this.deviceCache.get(name);
    if (id === undefined) {
      this.insertDevice.run(name);
      id = this.selectDevice.get(name) as number;
      this.deviceCache.set(name, id);
    }
    return id;
  }

  private existingSeriesId(node: string, metric: string): number | undefined {
    const cached = this.seriesCache.get(node)?.get(metric);
    if (cached !== undefined) return cached.id;
    return this.selectSeries.get(node, metric) as number | undefined;
  }
}
