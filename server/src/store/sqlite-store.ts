import { endianness } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Statement } from 'better-sqlite3';
import type { ReadingBatch } from '@opsroom/models';
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
import { batchProblem, checkCutoff, closedError, normalizeQuery, pointProblem } from './validate.js';
import { TurnBudget } from './turn-budget.js';
import { NO_PAIR, WriterCache } from './writer-cache.js';

/**
 * Schema of the embedded store, component `timeseries` in `schema_versions` (see migrate()).
 *
 * - `series`: one row per (node, metric), mapped to an integer id once and cached in memory
 *   (docs/measurements.md: a new key string per reading made lookups ~6x slower).
 * - `devices`: device ids mapped to integers the same way (keeps `points` rows small).
 * - `series_devices`: which devices have written to which series. Lets range queries seek per
 *   device and `latest` / `deleteBefore` seek per (series, device) instead of scanning.
 * - `points`: raw readings one row each, WITHOUT ROWID, clustered on its primary key
 *   (series_id, device_id, ts). Since step 3 it holds only what the chunk path does not: points
 *   at or below what a (series, device) already stored (redeliveries, late points) and runs
 *   shorter than MIN_CHUNK_POINTS; databases written before step 3 keep their rows here.
 * - `points_1m`, `points_1h` (step 2): downsampled tiers, one row per (series, bucket) over every
 *   device: n, total, lo, hi, and the last value with its ts and device (at equal ts the lowest
 *   device id wins, as in raw window queries). Kept in the write transaction, from the points that
 *   were actually inserted (a duplicate is not counted); step 2 backfilled them from the points
 *   already stored. Window queries whose width is a multiple of a tier's read whole buckets from
 *   the coarsest such tier and raw points only for the partial buckets at the ends of the range.
 * - `chunks` (step 3, issue 10): raw readings in runs, one row per (series, device) per write:
 *   t0/t1 the first and last ts, n the count, `ts` and `vals` n Float64 little-endian each (8n
 *   bytes, no delta encoding). The chunks of one (series, device) never overlap in time and
 *   ascend with t0: a chunk only ever holds points above everything its (series, device) had
 *   stored (see SqliteStore). A rowid table with a unique index rather than WITHOUT ROWID: rows
 *   are kilobytes, and a WITHOUT ROWID b-tree would carry them in its interior pages.
 *
 * Every read (raw and window queries, tier edges, latest, deleteBefore, retention, count) reads
 * `points` and `chunks` together.
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
  `CREATE TABLE chunks (
     id INTEGER PRIMARY KEY,
     series_id INTEGER NOT NULL,
     device_id INTEGER NOT NULL,
     t0 INTEGER NOT NULL,
     t1 INTEGER NOT NULL,
     n INTEGER NOT NULL,
     ts BLOB NOT NULL,
     vals BLOB NOT NULL
   );
   CREATE UNIQUE INDEX chunks_key ON chunks (series_id, device_id, t0);`,
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
          max(CASE WHEN rn = 1 THEN ts END), max(CASE WHEN rn = 1 THEN device_id END),
          max(CASE WHEN rn = 1 THEN value END)
   FROM (SELECT series_id, device_id, ts, value, (ts / ${w}) * ${w} AS bucket,
                row_number() OVER (PARTITION BY series_id, (ts / ${w}) * ${w} ORDER BY ts DESC, device_id) AS rn
         FROM points)
   GROUP BY series_id, bucket;`;
}

/** Merges a batch's partial bucket into the stored one (every column right of SET reads the old row). */
function tierUpsertSql(t: Tier): string {
  const newer = '(excluded.last_ts > last_ts OR (excluded.last_ts = last_ts AND excluded.last_dev < last_dev))';
  return `INSERT INTO ${t.table} (series_id, bucket, n, total, lo, hi, last_ts, last_dev, last_value)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (series_id, bucket) DO UPDATE SET
      n = n + excluded.n, total = total + excluded.total, lo = min(lo, excluded.lo), hi = max(hi, excluded.hi),
      last_value = CASE WHEN ${newer} THEN excluded.last_value ELSE last_value END,
      last_dev = CASE WHEN ${newer} THEN excluded.last_dev ELSE last_dev END,
      last_ts = max(last_ts, excluded.last_ts)`;
}

if (endianness() !== 'LE') {
  throw new Error(
    'the embedded store packs chunks as little-endian Float64 and needs a ' +
      'little-endian CPU; use --store memory or influxdb here',
  );
}

/** Runs shorter than this go to `points` one row each; longer ones become one chunk row. */
export const MIN_CHUNK_POINTS = 4;

/** Room of a new run's buffers (they double as needed). */
const RUN_START = 32;

/**
 * The current write's points of one (series, device): alive only during a write, then back to
 * RUN_POOL with its buffers, so nothing per pair survives between writes but the WriterCache's
 * column entries (issue 10's memory row).
 */
class Run {
  /** The pair's WriterCache handle and its SQLite ids. */
  pair = 0;
  series = 0;
  device = 0;
  /** Points (first n entries), in arrival order until sorted. */
  n = 0;
  ts = new Float64Array(RUN_START);
  vals = new Float64Array(RUN_START);
  /** ts strictly ascending so far in this write. */
  sorted = true;
}

/**
 * Runs free for the next write's pairs; at most RUN_POOL_MAX of them are kept, with buffers of up to
 * RUN_POOL_BUFFER_MAX points.
 */
const RUN_POOL: Run[] = [];
const RUN_POOL_MAX = 4096;
const RUN_POOL_BUFFER_MAX = 65_536;

/**
 * Writer caches of one connection, shared by every SqliteStore on it (so two stores on one
 * connection cannot hold different high-water marks). Its `epoch` moves whenever another
 * connection committed (PRAGMA data_version changed) or a write failed: every pair's mark is
 * then re-read.
 */
type WriterState = WriterCache;

const WRITER_STATES = new WeakMap<SqliteDatabase, WriterState>();

export interface SqliteStoreOptions extends OpenDatabaseOptions {
  logger?: StoreLogger;
  /**
   * Answer window queries from the downsampled tiers when the window allows (default true).
   * false reads raw points only (the tiers are still written): for comparisons and diagnosis.
   */
  readTiers?: boolean;
}

/** Raw points of one series in a range, oldest first, at equal ts lowest device id first. */
interface RawRows {
  ts: number[];
  dev: number[];
  val: number[];
}

/** The chunks of one (series, device) that may hold points in [@from, @to] (chunks ascend and never overlap). */
const CHUNK_RANGE_SQL = `SELECT t0, t1, ts, vals FROM chunks
  WHERE series_id = @s AND device_id = @d AND t0 <= @to AND t1 >= @from
    AND t0 >= coalesce((SELECT max(t0) FROM chunks WHERE series_id = @s AND device_id = @d AND t0 <= @from), @from)
  ORDER BY t0`;

const LATEST_PAIRS_SQL = `SELECT sd.series_id, sd.device_id, s.node, s.metric, d.name
  FROM series_devices sd
  JOIN series s ON s.id = sd.series_id
  JOIN devices d ON d.id = sd.device_id`;

/**
 * Limits of one delete transaction (the event loop gets a turn between transactions); chunk rows count their points.
 */
const DELETE_ROWS_PER_TRANSACTION = 5_000;
const DELETE_UNITS_PER_TRANSACTION = 500;

/**
 * Sliced reads (query): the time a slice aims at, ms, its starting width for raw reads, ms, its widest, ms, and tier
 * buckets per slice to start with.
 */
const SLICE_TARGET_MS = 2;
const RAW_SLICE_START_MS = 3_600_000;
const MAX_SLICE_MS = 2 ** 45;
const TIER_SLICE_BUCKETS = 4_096;

const yieldTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** A BLOB of packed Float64 LE as a Float64Array (a view when aligned, else a copy). */
function f64(buf: Buffer): Float64Array {
  if (buf.byteOffset % 8 === 0) return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength >> 3);
  return new Float64Array(new Uint8Array(buf).buffer);
}

/** `a[from..to)` as a BLOB argument (a view, copied by SQLite when bound). */
function blob(a: Float64Array, from: number, to: number): Buffer {
  return Buffer.from(a.buffer, a.byteOffset + from * 8, (to - from) * 8);
}

/** Index of the first of `a[0..n)` (ascending) that is >= x. */
function lowerBound(a: ArrayLike<number>, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first of `a[0..n)` (ascending) that is > x. */
function upperBound(a: ArrayLike<number>, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Sorts a pair's run by ts, keeping the first of equal ts (arrival order), in place; returns the new length.
 *
 * Example: ts [3, 1, 3, 2], vals [a, b, c, d] -> ts [1, 2, 3], vals [b, d, a], returns 3.
 */
function sortRun(p: Run): number {
  const n = p.n;
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const ts = p.ts;
  idx.sort((a, b) => ts[a]! - ts[b]! || a - b);
  const t = ts.slice(0, n);
  const v = p.vals.slice(0, n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const j = idx[i]!;
    if (k > 0 && t[j] === ts[k - 1]) continue; // later duplicate of the previous ts
    ts[k] = t[j]!;
    p.vals[k] = v[j]!;
    k++;
  }
  p.n = k;
  p.sorted = true;
  return k;
}

/**
 * The embedded store: SQLite through better-sqlite3, in `<dataDir>/opsroom.db`.
 *
 * Writing (issue 10). Each writeBatch / writeReadings call is one transaction. Its points are
 * gathered per (series, device) into a run; the writer keeps per pair the greatest ts stored (its
 * high-water mark, read lazily from both tables). The part of a run above the mark, sorted, is new
 * by construction and goes in as ONE `chunks` row (or as `points` rows when shorter than
 * MIN_CHUNK_POINTS), its tiers accumulated in one pass per bucket. The part at or below the mark
 * (redeliveries, late points) takes the slow path: each point is looked up in the chunk that may
 * hold it and inserted into `points` (INSERT OR IGNORE) only when new; only points actually
 * inserted reach the tiers. Duplicates inside one call keep the first.
 *
 * The marks are correct with other writers: they are shared by every store on one connection and
 * re-read after another connection committed (PRAGMA data_version) or a write failed.
 *
 * Durability: when a write's promise resolves its transaction has committed to the WAL. With
 * `synchronous=NORMAL` (the default, chosen for speed) that survives SIGKILL or a crash of this
 * process but not an OS crash or power cut; open with `{ synchronous: 'FULL' }` to survive those
 * too (sqlite-db.ts). Tested by test/store/sqlite-crash.test.ts.
 *
 * better-sqlite3 is synchronous: a call blocks the event loop while it runs; deleteBefore and
 * applyRetention delete at most about 5,000 points per transaction and yield between them.
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

  private readonly state: WriterState;
  /** Runs of the current write, in the order their pairs were first appended to. */
  private readonly touched: Run[] = [];
  /** Per metric of the batch being gathered: its pair handle and run (scratch of gatherBatch). */
  private readonly batchPairs: number[] = [];
  private readonly batchRuns: Array<Run | undefined> = [];
  private readonly insertPoint: Statement;
  private readonly insertChunk: Statement;
  private readonly insertSeries: Statement;
  private readonly selectSeries: Statement;
  private readonly insertDevice: Statement;
  private readonly selectDevice: Statement;
  private readonly insertPair: Statement;
  private readonly dataVersion: Statement;
  private readonly maxPointTs: Statement;
  private readonly lastChunkT1: Statement;
  private readonly chunkAt: Statement;
  private readonly seriesDevices: Statement;
  private readonly pointRange: Statement;
  private readonly chunkRange: Statement;
  private readonly latestPoint: Statement;
  private readonly latestChunk: Statement;
  private readonly tierUpsert = new Map<Tier, Statement>();
  private readonly tierQuery = new Map<Tier, Statement>();
  private readonly tierWindowQueries = new Map<string, Statement>();
  private readonly writeTx: (gather: () => void) => void;
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
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    let state = WRITER_STATES.get(db);
    if (state === undefined) {
      state = new WriterCache();
      state.dataVersion = this.dataVersion.get() as number;
      WRITER_STATES.set(db, state);
    }
    this.state = state;
    this.insertPoint = db.prepare('INSERT OR IGNORE INTO points (series_id, device_id, ts, value) VALUES (?, ?, ?, ?)');
    this.insertChunk = db.prepare(
      'INSERT INTO chunks (series_id, device_id, t0, t1, n, ts, vals) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertSeries = db.prepare(
      'INSERT INTO series (node, metric) VALUES (?, ?) ON CONFLICT (node, metric) DO NOTHING',
    );
    this.selectSeries = db.prepare('SELECT id FROM series WHERE node = ? AND metric = ?').pluck();
    this.insertDevice = db.prepare('INSERT INTO devices (name) VALUES (?) ON CONFLICT (name) DO NOTHING');
    this.selectDevice = db.prepare('SELECT id FROM devices WHERE name = ?').pluck();
    this.insertPair = db.prepare('INSERT OR IGNORE INTO series_devices (series_id, device_id) VALUES (?, ?)');
    this.maxPointTs = db.prepare('SELECT max(ts) FROM points WHERE series_id = ? AND device_id = ?').pluck();
    this.lastChunkT1 = db
      .prepare('SELECT t1 FROM chunks WHERE series_id = ? AND device_id = ? ORDER BY t0 DESC LIMIT 1')
      .pluck();
    this.chunkAt = db
      .prepare(
        'SELECT t0, t1, ts FROM chunks WHERE series_id = ? AND device_id = ? AND t0 <= ? ORDER BY t0 DESC LIMIT 1',
      )
      .raw();
    this.seriesDevices = db
      .prepare('SELECT device_id FROM series_devices WHERE series_id = ? ORDER BY device_id')
      .pluck();
    this.pointRange = db
      .prepare(
        'SELECT ts, value FROM points WHERE series_id = @s AND device_id = @d ' +
          'AND ts >= @from AND ts <= @to ORDER BY ts',
      )
      .raw();
    this.chunkRange = db.prepare(CHUNK_RANGE_SQL).raw();
    this.latestPoint = db
      .prepare('SELECT ts, value FROM points WHERE series_id = ? AND device_id = ? ORDER BY ts DESC LIMIT 1')
      .raw();
    this.latestChunk = db
      .prepare(
        'SELECT t1, substr(vals, (n - 1) * 8 + 1, 8) FROM chunks WHERE ' +
          'series_id = ? AND device_id = ? ORDER BY t0 DESC LIMIT 1',
      )
      .raw();
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
    // BEGIN IMMEDIATE: the write lock is taken (waiting up to busy_timeout) before the first read.
    // A deferred transaction that reads and then writes fails at once with SQLITE_BUSY in WAL mode
    // when another connection (the alerts', or a second writer) committed in between.
    this.writeTx = db.transaction((gather: () => void) => {
      const v = this.dataVersion.get() as number;
      if (v !== this.state.dataVersion) {
        this.state.dataVersion = v; // another connection committed: re-read every mark
        this.state.epoch++;
      }
      gather();
      const tiers = new TierBatch();
      for (const p of this.touched) this.storeRun(p, tiers);
      tiers.forEach((tier, series, bucket, a) => {
        this.tierUpsert.get(tier)!.run(series, bucket, a.n, a.sum, a.min, a.max, a.lastTs, a.lastDev, a.last);
      });
    }).immediate;
  }

  /** Points skipped by writeBatch / writeReadings because they were malformed (see pointProblem, batchProblem). */
  get rejectedPoints(): number {
    return this.rejected;
  }

  async writeBatch(points: readonly StoredPoint[]): Promise<void> {
    if (this.closed) throw closedError('sqlite');
    if (points.length === 0) return;
    this.write(points.length, () => {
      for (const p of points) {
        if (pointProblem(p) !== null) {
          this.rejected++;
          continue;
        }
        this.append(
          this.runFor(this.pairFor(this.seriesFor(p.node, p.metric), this.deviceFor(p.deviceId))),
          p.ts,
          p.value,
        );
      }
    });
  }

  async writeReadings(batches: readonly ReadingBatch[]): Promise<void> {
    if (this.closed) throw closedError('sqlite');
    if (batches.length === 0) return;
    let total = 0;
    for (const b of batches) total += b?.length ?? 0;
    this.write(total, () => {
      for (const b of batches) this.gatherBatch(b);
    });
  }

  private gatherBatch(b: ReadingBatch): void {
    if (batchProblem(b) !== null) {
      this.rejected++;
      return;
    }
    const n = b.length;
    if (typeof b.node !== 'string' || b.node === '' || typeof b.deviceId !== 'string' || b.deviceId === '') {
      this.rejected += n;
      return;
    }
    const device = this.deviceFor(b.deviceId);
    const names = b.metricNames;
    const pairs = this.batchPairs;
    const runs = this.batchRuns;
    pairs.length = 0;
    runs.length = 0;
    for (let m = 0; m < names.length; m++) {
      const name = names[m];
      pairs.push(
        typeof name === 'string' && name !== '' ? this.pairFor(this.seriesFor(b.node, name), device) : NO_PAIR,
      );
      runs.push(undefined);
    }
    const { metric, ts, values } = b;
    for (let i = 0; i < n; i++) {
      const m = metric[i]!;
      const t = ts[i]!;
      const v = values[i]!;
      let r = runs[m];
      if (r === undefined) {
        const h = pairs[m];
        if (h === undefined || h === NO_PAIR || !Number.isSafeInteger(t) || t < 0 || !Number.isFinite(v)) {
          this.rejected++;
          continue;
        }
        runs[m] = r = this.runFor(h);
      } else if (!Number.isSafeInteger(t) || t < 0 || !Number.isFinite(v)) {
        this.rejected++;
        continue;
      }
      this.append(r, t, v);
    }
  }

  /** Runs `gather` (which appends points to runs) and stores the runs, in one transaction. */
  private write(count: number, gather: () => void): void {
    try {
      this.writeTx(gather);
      this.lastWriteError = null;
    } catch (err) {
      this.releaseRuns();
      // The transaction rolled back: ids cached during it may not exist, marks may be ahead. Forget them all.
      this.state.clear();
      this.lastWriteError = (err as Error).message;
      this.log.error({ err }, 'time-series write failed');
      throw new Error(
        `writing ${count} points to SQLite failed (nothing of this batch was stored): ${(err as Error).message}`,
        { cause: err },
      );
    }
    this.releaseRuns();
  }

  /** Ends the current write's runs: their pairs forget them, they go back to the pool. */
  private releaseRuns(): void {
    for (const r of this.touched) {
      this.state.setRun(r.pair, -1);
      if (r.ts.length <= RUN_POOL_BUFFER_MAX && RUN_POOL.length < RUN_POOL_MAX) RUN_POOL.push(r);
    }
    this.touched.length = 0;
  }

  /** The current write's run of pair `h`, started (empty) on first use. */
  private runFor(h: number): Run {
    const i = this.state.run(h);
    if (i >= 0) return this.touched[i]!;
    const r = RUN_POOL.pop() ?? new Run();
    r.pair = h;
    r.series = this.state.pairSeries(h);
    r.device = this.state.pairDevice(h);
    r.n = 0;
    r.sorted = true;
    this.state.setRun(h, this.touched.length);
    this.touched.push(r);
    return r;
  }

  private append(p: Run, t: number, v: number): void {
    const k = p.n;
    if (k === p.ts.length) {
      const ts = new Float64Array(k * 2);
      ts.set(p.ts);
      p.ts = ts;
      const vals = new Float64Array(k * 2);
      vals.set(p.vals);
      p.vals = vals;
    }
    if (k > 0 && t <= p.ts[k - 1]!) p.sorted = false;
    p.ts[k] = t;
    p.vals[k] = v;
    p.n = k + 1;
  }

  /** Stores the run gathered for `p` (inside the write transaction); adds what was inserted to `tiers`. */
  private storeRun(p: Run, tiers: TierBatch): void {
    const n = p.sorted ? p.n : sortRun(p);
    if (n === 0) return;
    const state = this.state;
    let hwm: number;
    if (state.markEpoch(p.pair) !== state.epoch) {
      const a = this.maxPointTs.get(p.series, p.device) as number | null;
      const b = this.lastChunkT1.get(p.series, p.device) as number | undefined;
      hwm = Math.max(a ?? -1, b ?? -1);
      state.setMark(p.pair, hwm, state.epoch);
    } else {
      hwm = state.mark(p.pair);
    }
    const { ts, vals } = p;
    const k = ts[0]! > hwm ? 0 : upperBound(ts, n, hwm);
    if (k > 0) this.storeOld(p, k, tiers);
    if (k === n) return;
    if (n - k >= MIN_CHUNK_POINTS) {
      this.insertChunk.run(p.series, p.device, ts[k]!, ts[n - 1]!, n - k, blob(ts, k, n), blob(vals, k, n));
      tiers.addRun(p.series, p.device, ts, vals, k, n);
    } else {
      for (let i = k; i < n; i++)
        if (this.insertPoint.run(p.series, p.device, ts[i]!, vals[i]!).changes === 1)
          tiers.add(p.series, p.device, ts[i]!, vals[i]!);
    }
    state.setMark(p.pair, ts[n - 1]!, state.epoch);
  }

  /**
   * The slow path: points `[0, k)` of `p`'s sorted run are at or below its mark; inserts into `points` those stored
   * nowhere yet.
   */
  private storeOld(p: Run, k: number, tiers: TierBatch): void {
    const { ts, vals } = p;
    let chunk: { t0: number; t1: number; ts: Float64Array } | undefined;
    for (let i = 0; i < k; i++) {
      const t = ts[i]!;
      if (chunk === undefined || t < chunk.t0 || t > chunk.t1) {
        const row = this.chunkAt.get(p.series, p.device, t) as [number, number, Buffer] | undefined;
        chunk = row === undefined ? undefined : { t0: row[0], t1: row[1], ts: f64(row[2]) };
      }
      if (chunk !== undefined && t <= chunk.t1) {
        const j = lowerBound(chunk.ts, chunk.ts.length, t);
        if (chunk.ts[j] === t) continue; // stored in a chunk: a duplicate
      }
      if (this.insertPoint.run(p.series, p.device, t, vals[i]!).changes === 1)
        tiers.add(p.series, p.device, t, vals[i]!);
    }
  }

  async query(q: RangeQuery): Promise<SeriesPoint[]> {
    if (this.closed) throw closedError('sqlite');
    const nq = normalizeQuery(q);
    const id = this.existingSeriesId(nq.node, nq.metric);
    if (id === undefined || nq.from > nq.to) return [];
    // Long reads run in time slices with a turn of the event loop between them (issue 18 point 3).
    const budget = new TurnBudget();
    if (nq.windowMs === undefined) {
      const limit = nq.limit ?? Infinity;
      const out: SeriesPoint[] = [];
      await this.sliced(nq.from, nq.to, RAW_SLICE_START_MS, 1, budget, (a, b) => {
        const r = this.rawRows(id, a, b);
        const n = Math.min(r.ts.length, limit - out.length);
        for (let i = 0; i < n; i++) out.push({ ts: r.ts[i]!, value: r.val[i]! });
        return out.length >= limit;
      });
      return out;
    }
    const w = nq.windowMs;
    const tier = this.readTiers ? tierFor(w) : undefined;
    const span = tier === undefined ? null : tierSpan(nq.from, nq.to, tier.widthMs);
    if (tier !== undefined && span !== null) return this.queryTier(id, tier, span, w, nq.aggregate, budget);
    const out = new WindowBuilder(w, nq.aggregate);
    await this.sliced(nq.from, nq.to, Math.max(w, Math.floor(RAW_SLICE_START_MS / w) * w), w, budget, (a, b) => {
      const r = this.rawRows(id, a, b);
      for (let i = 0; i < r.ts.length; i++) out.point(r.ts[i]!, r.dev[i]!, r.val[i]!);
    });
    return out.finish();
  }

  /** The tier answering windows of `windowMs` (see TimeSeriesStore.windowSource). */
  windowSource(windowMs: number): 'raw' | 'minute' | 'hour' {
    return (this.readTiers ? tierFor(windowMs)?.name : undefined) ?? 'raw';
  }

  /**
   * Calls `read(a, b)` on consecutive slices [a, b] of [from, to], each ending at a multiple of
   * `align` (so a window of that width never spans two slices), oldest first, until `read` returns
   * true. A slice starts `width` ms wide; the width doubles while a slice reads in under a quarter
   * of SLICE_TARGET_MS and halves when one takes longer than it. Between slices the event loop gets
   * a turn once `budget` is spent.
   */
  private async sliced(
    from: number,
    to: number,
    width: number,
    align: number,
    budget: TurnBudget,
    read: (a: number, b: number) => boolean | void,
  ): Promise<void> {
    let a = from;
    while (a <= to) {
      const b = Math.min(to, bucketStart(a, align) + width - 1);
      const t0 = performance.now();
      if (read(a, b) === true) return;
      const dt = performance.now() - t0;
      if (dt < SLICE_TARGET_MS / 4 && width < MAX_SLICE_MS) width *= 2;
      else if (dt > SLICE_TARGET_MS && width > align) width = Math.max(align, Math.floor(width / 2 / align) * align);
      a = b + 1;
      if (a > to) return;
      await budget.maybeYield();
      if (this.closed) throw closedError('sqlite');
    }
  }

  /** Raw points of series `s` in [from, to] from both tables, oldest first, at equal ts lowest device first. */
  private rawRows(s: number, from: number, to: number): RawRows {
    const out: RawRows = { ts: [], dev: [], val: [] };
    const devices = this.seriesDevices.all(s) as number[];
    for (const d of devices) {
      const params = { s, d, from, to };
      const pts = this.pointRange.all(params) as [number, number][];
      let pi = 0;
      const takePointsBelow = (limit: number): void => {
        for (; pi < pts.length && pts[pi]![0] < limit; pi++) {
          out.ts.push(pts[pi]![0]);
          out.dev.push(d);
          out.val.push(pts[pi]![1]);
        }
      };
      for (const [, , tsBlob, valBlob] of this.chunkRange.all(params) as [number, number, Buffer, Buffer][]) {
        const cts = f64(tsBlob);
        const cvals = f64(valBlob);
        const end = upperBound(cts, cts.length, to);
        for (let j = lowerBound(cts, cts.length, from); j < end; j++) {
          takePointsBelow(cts[j]!);
          out.ts.push(cts[j]!);
          out.dev.push(d);
          out.val.push(cvals[j]!);
        }
      }
      takePointsBelow(Infinity);
    }
    if (devices.length > 1) {
      // Runs per device, each ascending; a stable sort by ts keeps devices in id order at equal ts.
      const n = out.ts.length;
      const idx = new Array<number>(n);
      for (let i = 0; i < n; i++) idx[i] = i;
      const ts = out.ts;
      idx.sort((a, b) => ts[a]! - ts[b]!);
      return { ts: idx.map((i) => ts[i]!), dev: idx.map((i) => out.dev[i]!), val: idx.map((i) => out.val[i]!) };
    }
    return out;
  }

  /**
   * A window query answered from `tier`, fed oldest first into one WindowBuilder: raw points before
   * the first whole bucket, then whole buckets — those sharing a window with raw points as
   * partial state, the windows in between reduced by SQL (fewer columns to read: the bulk of the
   * cost) — then raw points after the last whole bucket.
   */
  private async queryTier(
    id: number,
    tier: Tier,
    span: NonNullable<ReturnType<typeof tierSpan>>,
    w: number,
    aggregate: Aggregate,
    budget: TurnBudget,
  ): Promise<SeriesPoint[]> {
    const out = new WindowBuilder(w, aggregate);
    const { fromI, toI, fullFrom, fullEnd } = span;
    // Whole buckets in the window of the first raw edge point, and in that of the last one.
    const headEnd = fromI < fullFrom ? Math.min(fullEnd, bucketStart(fromI, w) + w) : fullFrom;
    const tailStart = toI >= fullEnd ? Math.max(headEnd, bucketStart(toI, w)) : fullEnd;
    const edge = (from: number, to: number): void => {
      if (from > to) return;
      const r = this.rawRows(id, from, to);
      for (let i = 0; i < r.ts.length; i++) out.point(r.ts[i]!, r.dev[i]!, r.val[i]!);
    };
    const buckets = (from: number, to: number): void => {
      if (from >= to) return;
      for (const b of this.tierQuery.get(tier)!.all({ s: id, from, to }) as number[][])
        out.bucket(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!);
    };
    edge(fromI, fullFrom - 1);
    buckets(fullFrom, headEnd);
    if (headEnd < tailStart) {
      const one = w === tier.widthMs;
      const stmt = this.tierWindowStatement(tier, aggregate, one);
      // About TIER_SLICE_BUCKETS buckets per slice to start with; slices end on window boundaries.
      const width = Math.max(w, Math.floor((TIER_SLICE_BUCKETS * tier.widthMs) / w) * w);
      await this.sliced(headEnd, tailStart - 1, width, w, budget, (a, b) => {
        const params = one ? { s: id, from: a, to: b + 1 } : { s: id, from: a, to: b + 1, w };
        for (const r of stmt.all(params) as [number, number][]) out.window(r[0], r[1]);
      });
    }
    buckets(tailStart, fullEnd);
    edge(fullEnd, toI);
    return out.finish();
  }

  /**
   * (window start, value) per window from whole tier buckets; `last` uses the bare column of max(last_ts) (buckets
   * never share a ts).
   */
  private tierWindowStatement(tier: Tier, aggregate: Aggregate, oneBucketPerWindow: boolean): Statement {
    const key = `${tier.table} ${aggregate} ${oneBucketPerWindow}`;
    let stmt = this.tierWindowQueries.get(key);
    if (stmt !== undefined) return stmt;
    const where = `WHERE series_id = @s AND bucket >= @from AND bucket < @to`;
    const perBucket: Record<Aggregate, string> = {
      mean: 'total / n',
      min: 'lo',
      max: 'hi',
      count: 'n',
      last: 'last_value',
    };
    const perWindow: Record<Aggregate, string> = {
      mean: 'sum(total) / sum(n)',
      min: 'min(lo)',
      max: 'max(hi)',
      count: 'sum(n)',
      last: 'last_value, max(last_ts)',
    };
    const sql = oneBucketPerWindow
      ? `SELECT bucket, ${perBucket[aggregate]} FROM ${tier.table} ${where} ORDER BY bucket`
      : `SELECT (bucket / CAST(@w AS INTEGER)) * CAST(@w AS INTEGER), ` +
        `${perWindow[aggregate]} FROM ${tier.table} ${where} GROUP BY 1 ORDER BY 1`;
    stmt = this.db.prepare(sql).raw();
    this.tierWindowQueries.set(key, stmt);
    return stmt;
  }

  async latest(nodes?: readonly string[]): Promise<StoredPoint[]> {
    if (this.closed) throw closedError('sqlite');
    const order = ' ORDER BY s.node, s.metric, d.name';
    let pairs: [number, number, string, string, string][];
    if (nodes === undefined)
      pairs = this.db
        .prepare(LATEST_PAIRS_SQL + order)
        .raw()
        .all() as typeof pairs;
    else if (nodes.length === 0) return [];
    else
      pairs = this.db
        .prepare(`${LATEST_PAIRS_SQL} WHERE s.node IN (SELECT value FROM json_each(?))${order}`)
        .raw()
        .all(JSON.stringify(nodes)) as typeof pairs;
    const out: StoredPoint[] = [];
    for (const [s, d, node, metric, deviceId] of pairs) {
      const p = this.latestPoint.get(s, d) as [number, number] | undefined;
      const c = this.latestChunk.get(s, d) as [number, Buffer] | undefined;
      if (c !== undefined && (p === undefined || c[0] > p[0]))
        out.push({ node, metric, deviceId, ts: c[0], value: c[1].readDoubleLE(0) });
      else if (p !== undefined) out.push({ node, metric, deviceId, ts: p[0], value: p[1] });
    }
    return out;
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
   * older than `now - hourMs` (none when hourMs is omitted). Deletes about 5,000 points per
   * transaction at most and yields to the event loop between them; stops early when the store
   * is closed. Rejects with a RangeError for a bad policy. Run it periodically (scheduleRetention).
   */
  async applyRetention(policy: RetentionPolicy, now: number): Promise<RetentionResult> {
    if (this.closed) throw closedError('sqlite');
    checkRetentionPolicy(policy);
    if (typeof now !== 'number' || !Number.isFinite(now))
      throw new RangeError(`applyRetention needs now as ms since the epoch (got ${String(now)})`);
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

  /**
   * Per (series, device): whole chunks older than `before` go, the chunk straddling it is
   * rewritten with its younger points, then `points` rows older than it go. Counts points.
   */
  private deleteRawBefore(before: number): Promise<number> {
    const pairs = this.db.prepare('SELECT series_id, device_id FROM series_devices').raw().all() as [number, number][];
    const boundary = this.db
      .prepare('SELECT ts FROM points WHERE series_id = ? AND device_id = ? AND ts < ? ORDER BY ts LIMIT 1 OFFSET ?')
      .pluck();
    const del = this.db.prepare('DELETE FROM points WHERE series_id = ? AND device_id = ? AND ts < ?');
    const oldChunks = this.db
      .prepare('SELECT id, t1, n FROM chunks WHERE series_id = ? AND device_id = ? AND t0 < ? ORDER BY t0 LIMIT 64')
      .raw();
    const delChunk = this.db.prepare('DELETE FROM chunks WHERE id = ?');
    const chunkData = this.db.prepare('SELECT ts, vals FROM chunks WHERE id = ?').raw();
    const rewrite = this.db.prepare('UPDATE chunks SET t0 = ?, n = ?, ts = ?, vals = ? WHERE id = ?');
    return this.chunkedDelete(pairs, ([s, d], budget) => {
      let deleted = 0;
      for (;;) {
        const rows = oldChunks.all(s, d, before) as [number, number, number][];
        if (rows.length === 0) break;
        for (const [id, t1, n] of rows) {
          if (deleted >= budget) return { deleted, done: false };
          if (t1 < before) {
            delChunk.run(id);
            deleted += n;
          } else {
            const [tsBlob, valBlob] = chunkData.get(id) as [Buffer, Buffer];
            const ts = f64(tsBlob);
            const k = lowerBound(ts, ts.length, before); // >= 1: t0 < before
            rewrite.run(ts[k]!, ts.length - k, blob(ts, k, ts.length), blob(f64(valBlob), k, ts.length), id);
            deleted += k;
          }
        }
      }
      if (deleted >= budget) return { deleted, done: false };
      // The (budget left)-th oldest point below the cut-off (ts is unique per pair): delete up to it.
      const edge = boundary.get(s, d, before, budget - deleted) as number | undefined;
      if (edge === undefined) return { deleted: deleted + del.run(s, d, before).changes, done: true };
      return { deleted: deleted + del.run(s, d, edge).changes, done: false };
    });
  }

  /** Deletes the buckets of `tier` that end at or before `cutoff` (the bucket holding it stays). */
  private deleteTierBefore(tier: Tier, cutoff: number): Promise<number> {
    const below = Math.floor(cutoff / tier.widthMs) * tier.widthMs;
    const series = this.db.prepare('SELECT id FROM series').pluck().all() as number[];
    const boundary = this.db
      .prepare(`SELECT bucket FROM ${tier.table} WHERE series_id = ? AND bucket < ? ORDER BY bucket LIMIT 1 OFFSET ?`)
      .pluck();
    const del = this.db.prepare(`DELETE FROM ${tier.table} WHERE series_id = ? AND bucket < ?`);
    return this.chunkedDelete(series, (s, budget) => {
      const edge = boundary.get(s, below, budget) as number | undefined;
      if (edge === undefined) return { deleted: del.run(s, below).changes, done: true };
      return { deleted: del.run(s, edge).changes, done: false };
    });
  }

  /**
   * Runs `step` over `units` in transactions of about DELETE_ROWS_PER_TRANSACTION points and at
   * most DELETE_UNITS_PER_TRANSACTION step calls, yielding between them. `step(unit, budget)`
   * deletes about `budget` points (a whole chunk may take it past) and says whether the unit is
   * finished; when not, it deleted at least one.
   */
  private async chunkedDelete<U>(
    units: readonly U[],
    step: (unit: U, budget: number) => { deleted: number; done: boolean },
  ): Promise<number> {
    let i = 0;
    const tx = this.db.transaction((): number => {
      let deleted = 0;
      for (
        let calls = 0;
        i < units.length && calls < DELETE_UNITS_PER_TRANSACTION && deleted < DELETE_ROWS_PER_TRANSACTION;
        calls++
      ) {
        const r = step(units[i]!, DELETE_ROWS_PER_TRANSACTION - deleted);
        deleted += r.deleted;
        if (r.done) i++;
      }
      return deleted;
    }).immediate; // see writeTx
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

  /** How many raw points are stored, in both tables (a full count: for tests and benchmarks). */
  async count(): Promise<number> {
    if (this.closed) throw closedError('sqlite');
    return this.db
      .prepare('SELECT (SELECT count(*) FROM points) + (SELECT coalesce(sum(n), 0) FROM chunks)')
      .pluck()
      .get() as number;
  }

  health(): StoreHealth {
    if (this.closed) return { ok: false, backend: 'sqlite', detail: 'closed' };
    if (!this.db.open)
      return { ok: false, backend: 'sqlite', detail: `${this.db.name}: the shared database connection was closed` };
    const base = `${this.db.name} (WAL, synchronous=${this.synchronous}); ${this.rejected} malformed points rejected`;
    if (this.lastWriteError !== null)
      return { ok: false, backend: 'sqlite', detail: `${base}; last write failed: ${this.lastWriteError}` };
    return { ok: true, backend: 'sqlite', detail: base };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDb) {
      WRITER_STATES.delete(this.db);
      this.db.close();
    }
  }

  /** Slot of series (node, metric) in the writer cache, inserting the series when new. */
  private seriesFor(node: string, metric: string): number {
    const slot = this.state.seriesSlot(node, metric);
    if (slot >= 0) return slot;
    this.insertSeries.run(node, metric);
    return this.state.addSeries(node, metric, this.selectSeries.get(node, metric) as number);
  }

  /** Handle of pair (series slot, device id) in the writer cache, recording it in series_devices when new. */
  private pairFor(slot: number, device: number): number {
    const h = this.state.findPair(slot, device);
    if (h !== NO_PAIR) return h;
    this.insertPair.run(this.state.seriesId(slot), device);
    return this.state.addPair(slot, device);
  }

  private deviceFor(name: string): number {
    let id = this.state.deviceId(name);
    if (id === undefined) {
      this.insertDevice.run(name);
      id = this.selectDevice.get(name) as number;
      this.state.addDevice(name, id);
    }
    return id;
  }

  private existingSeriesId(node: string, metric: string): number | undefined {
    const slot = this.state.seriesSlot(node, metric);
    if (slot >= 0) return this.state.seriesId(slot);
    return this.selectSeries.get(node, metric) as number | undefined;
  }
}
