import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

/** A better-sqlite3 connection (the type other server modules receive from {@link openDatabase}). */
export type SqliteDatabase = Database.Database;

/** File name of the embedded time-series store's SQLite database inside the data directory. */
export const DATABASE_FILE = 'opsroom.db';

/** `<dataDir>/opsroom.db`. */
export function databasePath(dataDir: string): string {
  return join(resolve(dataDir), DATABASE_FILE);
}

export interface OpenDatabaseOptions {
  /**
   * `NORMAL` (default) or `FULL`. In WAL mode NORMAL commits by writing the WAL without fsync:
   * a transaction that returned survives a crash or SIGKILL of this process (the bytes are in the
   * OS page cache), but an OS crash or power cut may lose the last transactions. FULL also fsyncs
   * the WAL on every commit, surviving power loss at a large cost in write speed.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /**
   * WAL pages before an automatic checkpoint (SQLite's default is 1000, ~4 MiB). Raised to 10,000
   * (~40 MiB): time-ordered inserts ran about twice as fast (docs/measurements.md).
   */
  walAutocheckpointPages?: number;
  /** Page cache size in KiB (default 32 MiB). */
  cacheKiB?: number;
  /** How long a statement waits for another connection's lock, ms (default 5000). */
  busyTimeoutMs?: number;
}

export const DEFAULT_DATABASE_OPTIONS: Readonly<Required<OpenDatabaseOptions>> = Object.freeze({
  synchronous: 'NORMAL',
  walAutocheckpointPages: 10_000, // pages of 4 KiB: ~40 MiB of WAL between checkpoints
  cacheKiB: 32 * 1024, // 32 MiB
  busyTimeoutMs: 5_000,
});

/**
 * Opens (creating the directory and the file when missing) `<dataDir>/opsroom.db`, the embedded
 * time-series store's SQLite database, in WAL mode. The caller owns the connection and closes it.
 * Alerts, sessions and other state live in a database of their own (`<dataDir>/state.db`,
 * server/src/state/state-db.ts), whatever the store.
 *
 * Table names the time-series store keeps: `series`, `devices`, `series_devices`, `points`,
 * `chunks`, `points_1m`, `points_1h`, `schema_versions` (versions per component, see migrate()).
 */
export function openDatabase(dataDir: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  return openSqliteFile(dataDir, DATABASE_FILE, options);
}

/**
 * Opens `<dataDir>/<file>` (creating the directory and the file when missing) in WAL mode with
 * {@link OpenDatabaseOptions}; the settings every SQLite database of the server shares.
 */
export function openSqliteFile(dataDir: string, file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  if (typeof dataDir !== 'string' || dataDir === '') {
    throw new Error('openDatabase needs a data directory (set --data-dir or OPSROOM_DATA_DIR)');
  }
  const o = { ...DEFAULT_DATABASE_OPTIONS, ...options };
  if (o.synchronous !== 'NORMAL' && o.synchronous !== 'FULL') {
    throw new Error(`synchronous must be 'NORMAL' or 'FULL' (got ${String(o.synchronous)})`);
  }
  const dir = resolve(dataDir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new Error(
      `cannot create the data directory ${dir}: ${(err as Error).message}; choose a writable --data-dir`,
      { cause: err },
    );
  }
  let db: SqliteDatabase;
  try {
    db = new Database(join(dir, file), { timeout: o.busyTimeoutMs });
  } catch (err) {
    throw new Error(`cannot open ${join(dir, file)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal')
      throw new Error(`SQLite refused WAL mode (journal_mode is ${String(mode)})`);
    db.pragma(`synchronous = ${o.synchronous}`);
    db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(o.walAutocheckpointPages))}`);
    db.pragma(`cache_size = ${-Math.max(1024, Math.floor(o.cacheKiB))}`);
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Brings one component's tables up to date: `migrations[i]` is the SQL that takes the component
 * from version i to i + 1. Versions are kept per component in `schema_versions`, so modules
 * sharing a database evolve their tables independently (databases of the previous layout also
 * hold `alerts`, `maintenance` and `sessions`, which state-db.ts moves to `state.db`). Each step runs in a transaction.
 * Returns the component's version afterwards (= migrations.length).
 *
 * Example: migrate(db, 'alerts', ['CREATE TABLE alert_events (...)']) creates the table once;
 * later calls find version 1 and do nothing.
 */
export function migrate(db: SqliteDatabase, component: string, migrations: readonly string[]): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const getVersion = db.prepare('SELECT version FROM schema_versions WHERE component = ?').pluck();
  const setVersion = db.prepare(
    'INSERT INTO schema_versions (component, version) VALUES (?, ?) ON ' +
      'CONFLICT(component) DO UPDATE SET version = excluded.version',
  );
  // One step per IMMEDIATE transaction, reading the version inside it: two processes opening the
  // same file at once never apply a step twice.
  const step = db.transaction((): boolean => {
    const current = (getVersion.get(component) as number | undefined) ?? 0;
    if (current > migrations.length) {
      throw new Error(
        `the database schema of '${component}' is version ${current}, newer ` +
          `than this server knows (${migrations.length}); upgrade the server or ` +
          `use another --data-dir`,
      );
    }
    if (current === migrations.length) return false;
    db.exec(migrations[current]!);
    setVersion.run(component, current + 1);
    return true;
  });
  while (step.immediate()) {
    // next step
  }
  return migrations.length;
}
