import type { Statement } from 'better-sqlite3';
import type { StoreLogger } from './logger.js';
import { silentLogger } from './logger.js';
import type { OpenDatabaseOptions, SqliteDatabase } from './sqlite-db.js';
import { migrate, openDatabase } from './sqlite-db.js';
import type { Aggregate, RangeQuery, SeriesPoint, StoreHealth, StoredPoint, TimeSeriesStore } from './store.js';
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
 *
 * Out of scope for now, and the place they go when needed: downsampled tiers (e.g. `points_1m`
 * with series_id, device_id, bucket, count, sum, min, max, last_ts, last, filled in the write
 * transaction or by a periodic job over closed windows, queried when windowMs >= the tier width)
 * and advanced retention (per-tier age limits, a retention job calling deleteBefore). Add them as
 * further entries of SCHEMA below, never by editing the first.
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
];

/** Series id plus the devices known (in this process) to have written to it. */
interface SeriesEntry {
  id: number;
  devices: Set<number>;
}

export interface SqliteStoreOptions extends OpenDatabaseOptions {
  logger?: StoreLogger;
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

/** Pairs handled per delete transaction; the event loop gets a turn between transactions. */
const DELETE_PAIRS_PER_TRANSACTION = 500;

/**
 * The embedded store: SQLite through better-sqlite3, in `<dataDir>/opsroom.db`.
 *
 * Durability: each writeBatch is one transaction; when its promise resolves the transaction has
 * committed to the WAL. With `synchronous=NORMAL` (the default, chosen for speed) that survives
 * SIGKILL or a crash of this process but not an OS crash or power cut; open with
 * `{ synchronous: 'FULL' }` to survive those too (sqlite-db.ts). Tested by
 * test/store/sqlite-crash.test.ts.
 *
 * better-sqlite3 is synchronous: a call blocks the event loop while it runs (about a millisecond
 * per 1,000-point batch); deleteBefore yields between transactions.
 */
export class SqliteStore implements TimeSeriesStore {
  /** Opens (creating when missing) `<dataDir>/opsroom.db` with its own connection, closed by close(). */
  static open(dataDir: string, opts: SqliteStoreOptions = {}): SqliteStore {
    const db = openDatabase(dataDir, opts);
    try {
      return new SqliteStore(db, true, opts.logger ?? silentLogger);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * A store over a connection the caller opened with openDatabase() and shares with other modules;
   * close() leaves that connection open (its opener closes it).
   */
  static onDatabase(db: SqliteDatabase, opts: { logger?: StoreLogger } = {}): SqliteStore {
    return new SqliteStore(db, false, opts.logger ?? silentLogger);
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
  private readonly writeTx: (points: readonly StoredPoint[]) => void;
  private closed = false;
  private rejected = 0;
  private lastWriteError: string | null = null;
  private readonly synchronous: string;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly ownsDb: boolean,
    private readonly log: StoreLogger,
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
    this.writeTx = db.transaction((points: readonly StoredPoint[]) => {
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
        this.insertPoint.run(series.id, device, p.ts, p.value);
      }
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
    let stmt = this.aggregateQueries.get(nq.aggregate);
    if (stmt === undefined) this.aggregateQueries.set(nq.aggregate, (stmt = this.db.prepare(AGGREGATE_SQL[nq.aggregate])));
    const rows = stmt.raw().all({ ...params, w: nq.windowMs }) as [number, number][];
    return rows.map((r) => ({ ts: r[0], value: r[1] }));
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

  async deleteBefore(before: number): Promise<number> {
    if (this.closed) throw closedError('sqlite');
    checkCutoff(before);
    const pairs = this.db.prepare('SELECT series_id, device_id FROM series_devices').raw().all() as [number, number][];
    const del = this.db.prepare('DELETE FROM points WHERE series_id = ? AND device_id = ? AND ts < ?');
    const deleteChunk = this.db.transaction((chunk: [number, number][]) => {
      let n = 0;
      for (const [s, d] of chunk) n += del.run(s, d, before).changes;
      return n;
    });
    let deleted = 0;
    for (let i = 0; i < pairs.length; i += DELETE_PAIRS_PER_TRANSACTION) {
      if (i > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.closed) break;
      }
      deleted += deleteChunk(pairs.slice(i, i + DELETE_PAIRS_PER_TRANSACTION));
    }
    return deleted;
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
