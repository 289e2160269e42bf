import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE, openSqliteFile, type SqliteDatabase } from '../store/sqlite-db.js';

/**
 * The state database: everything the server keeps that is not a time series — alerts with their
 * trails, deadlines, shelves and reminders (`alert_docs`), maintenance windows
 * (`maintenance_windows`) and sessions (`auth_sessions`, token digests only). It is always
 * `<dataDir>/state.db`, whatever `--store` says (docs/measurements.md, "State never depends on the store": state
 * never depends on the time-series
 * store), opened once per process by start.ts and shared by the repositories.
 *
 * A file of its own, not tables in the embedded store's `opsroom.db`: the same file for every
 * store (switching `--store` keeps the alerts), small and quick to back up, and its writes never
 * wait for a time-series transaction (with `--store-writer thread` the store's writer thread holds
 * its own connection to `opsroom.db`).
 */
export const STATE_FILE = 'state.db';

export type StateDatabase = SqliteDatabase;

/** `<dataDir>/state.db`. */
export function stateDatabasePath(dataDir: string): string {
  return join(resolve(dataDir), STATE_FILE);
}

export interface StateMigrationContext {
  dataDir: string;
  /** What the migration did, for the start-up log (e.g. rows moved from the previous layout). */
  notes: string[];
}

/** One schema step: `up` runs in an IMMEDIATE transaction with the version bump; `afterCommit` once it committed. */
export interface StateMigration {
  name: string;
  up(db: StateDatabase, ctx: StateMigrationContext): void;
  afterCommit?(db: StateDatabase, ctx: StateMigrationContext): void;
}

/** The state tables of the previous layout (inside opsroom.db) with their component in its `schema_versions`. */
const PREVIOUS_LAYOUT = [
  { table: 'alert_docs', component: 'alerts', columns: 'id, raised_at, resolved, doc' },
  { table: 'maintenance_windows', component: 'maintenance', columns: 'id, start_ms, end_ms, doc' },
  { table: 'auth_sessions', component: 'sessions', columns: 'token_sha256, user, role, scope, expires' },
] as const;

/**
 * The schema, in order: `STATE_MIGRATIONS[i]` takes the database from version i to i + 1
 * (`PRAGMA user_version`). Append; never edit a step that has shipped.
 */
export const STATE_MIGRATIONS: readonly StateMigration[] = [
  {
    name: 'alerts, maintenance windows and sessions',
    up: (db) =>
      db.exec(`
        CREATE TABLE alert_docs (
          id TEXT PRIMARY KEY,
          raised_at INTEGER NOT NULL,
          resolved INTEGER NOT NULL,
          doc TEXT NOT NULL
        );
        CREATE INDEX alert_docs_open ON alert_docs (resolved, raised_at);
        CREATE TABLE maintenance_windows (
          id TEXT PRIMARY KEY,
          start_ms INTEGER NOT NULL,
          end_ms INTEGER NOT NULL,
          doc TEXT NOT NULL
        );
        CREATE INDEX maintenance_windows_end ON maintenance_windows (end_ms);
        CREATE TABLE auth_sessions (
          token_sha256 TEXT PRIMARY KEY,
          user TEXT NOT NULL,
          role TEXT NOT NULL,
          scope TEXT NOT NULL,
          expires INTEGER NOT NULL
        ) WITHOUT ROWID;`),
  },
  {
    // Until this layout the embedded store kept these tables in opsroom.db (and the other stores
    // kept nothing). Their rows are copied here, then the old tables are dropped, so there is one
    // copy of each alert: the copy commits (and is checkpointed to state.db) before the drop.
    name: 'move the state tables of the previous layout out of opsroom.db',
    up: (db, ctx) => {
      const old = openPreviousLayout(ctx.dataDir);
      if (!old) return;
      try {
        for (const { table, columns, component } of PREVIOUS_LAYOUT) {
          if (!old.tables.has(table)) continue;
          const version = old.versions.get(component) ?? 1;
          if (version !== 1) {
            throw new Error(
              `${DATABASE_FILE} holds ${table} at schema version ${version}, which this server does not know; ` +
                'start the server version that wrote it, or use another --data-dir',
            );
          }
          const insert = db.prepare(`INSERT INTO ${table} (${columns}) VALUES (${columns.replace(/\w+/g, '?')})`);
          let n = 0;
          for (const row of old.db.prepare(`SELECT ${columns} FROM ${table}`).raw().iterate()) {
            insert.run(...(row as unknown[]));
            n++;
          }
          ctx.notes.push(`${n} rows of ${table}`);
        }
      } finally {
        old.db.close();
      }
    },
    afterCommit: (db, ctx) => {
      const old = openPreviousLayout(ctx.dataDir);
      if (!old) return;
      try {
        db.pragma('wal_checkpoint(TRUNCATE)'); // the copy is in state.db itself (synced) before the originals go
        const present = PREVIOUS_LAYOUT.filter((t) => old.tables.has(t.table));
        old.db
          .transaction(() => {
            for (const { table, component } of present) {
              old.db.exec(`DROP TABLE ${table}`);
              if (!old.tables.has('schema_versions')) continue;
              old.db.prepare('DELETE FROM schema_versions WHERE component = ?').run(component);
            }
          })
          .immediate();
      } finally {
        old.db.close();
      }
    },
  },
  {
    // Federation (issue 19 point 2): what a server sends to its parent or children, durably and in order, written in
    // the same transaction as the local change it reports (federation/federation-state.ts).
    name: 'federation outbox, inbox, cursors and alert links',
    up: (db) =>
      db.exec(`
        CREATE TABLE fed_outbox (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          peer TEXT NOT NULL,
          kind TEXT NOT NULL,
          body TEXT NOT NULL,
          created INTEGER NOT NULL
        );
        CREATE INDEX fed_outbox_peer ON fed_outbox (peer, seq);
        CREATE TABLE fed_inbox (
          peer TEXT PRIMARY KEY,
          last_seq INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE fed_cursors (
          name TEXT PRIMARY KEY,
          value INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE fed_alert_links (
          alert_id TEXT NOT NULL,
          role TEXT NOT NULL,
          peer TEXT NOT NULL,
          PRIMARY KEY (alert_id, role)
        ) WITHOUT ROWID;`),
  },
];

interface PreviousLayout {
  db: Database.Database;
  tables: Set<string>;
  versions: Map<string, number>;
}

/** opsroom.db with its state tables and their versions, when it exists and has any; else null. */
function openPreviousLayout(dataDir: string): PreviousLayout | null {
  const file = join(resolve(dataDir), DATABASE_FILE);
  if (!existsSync(file)) return null;
  const db = new Database(file, { fileMustExist: true, timeout: 5_000 });
  try {
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    const tables = new Set(names);
    if (!PREVIOUS_LAYOUT.some((t) => tables.has(t.table))) {
      db.close();
      return null;
    }
    const versions = new Map<string, number>();
    if (tables.has('schema_versions')) {
      const rows = db.prepare('SELECT component, version FROM schema_versions').all() as Array<{
        component: string;
        version: number;
      }>;
      for (const r of rows) versions.set(r.component, r.version);
    }
    return { db, tables, versions };
  } catch (err) {
    db.close();
    throw err;
  }
}

export interface OpenStateOptions {
  /** Migrations to apply (default {@link STATE_MIGRATIONS}; tests pass a prefix to build an older file). */
  migrations?: readonly StateMigration[];
}

export interface OpenedState {
  db: StateDatabase;
  path: string;
  /** Schema version after opening (= the number of migrations). */
  version: number;
  /** What the migrations applied at this opening did, one line each (empty when none ran). */
  applied: string[];
  /** A new state database: every migration ran on an empty file and none had anything to move. */
  created: boolean;
  /** Things the operator should know (logged at start-up as warnings). */
  warnings: string[];
}

/**
 * Opens (creating when missing) `<dataDir>/state.db` in WAL mode and brings its schema up to date:
 * each missing step of {@link STATE_MIGRATIONS} runs in its own IMMEDIATE transaction with the
 * version bump, so a crash mid-way leaves a consistent older version that the next start continues
 * from. A file newer than this server is refused. The caller closes `db`.
 */
export function openStateDatabase(dataDir: string, options: OpenStateOptions = {}): OpenedState {
  const migrations = options.migrations ?? STATE_MIGRATIONS;
  // Small and written a few times a second at most: SQLite's default cache and checkpoint size.
  const db = openSqliteFile(dataDir, STATE_FILE, { cacheKiB: 2048, walAutocheckpointPages: 1000 });
  const applied: string[] = [];
  const created = (db.pragma('user_version', { simple: true }) as number) === 0;
  let noted = false;
  try {
    const ctx: StateMigrationContext = { dataDir, notes: [] };
    for (;;) {
      let ran: StateMigration | undefined;
      db.transaction(() => {
        const version = db.pragma('user_version', { simple: true }) as number;
        if (version > migrations.length) {
          throw new Error(
            `${stateDatabasePath(dataDir)} has schema version ${version}, ` +
              `newer than this server knows (${migrations.length}); upgrade the server or use another --data-dir`,
          );
        }
        if (version === migrations.length) return;
        ran = migrations[version]!;
        ctx.notes = [];
        ran.up(db, ctx);
        db.pragma(`user_version = ${version + 1}`);
      }).immediate();
      if (!ran) break;
      ran.afterCommit?.(db, ctx);
      if (ctx.notes.length) noted = true;
      applied.push(ctx.notes.length ? `${ran.name}: ${ctx.notes.join(', ')}` : ran.name);
    }
  } catch (err) {
    db.close();
    throw err;
  }
  const warnings = leftovers(dataDir, applied);
  return {
    db,
    path: stateDatabasePath(dataDir),
    version: migrations.length,
    applied,
    created: created && !noted,
    warnings,
  };
}

/**
 * State tables still in opsroom.db although state.db is past the move (a stop between the copy and
 * the drop, or an old opsroom.db copied in): never read, never dropped here (they may hold what
 * state.db lacks); the operator is told.
 */
function leftovers(dataDir: string, applied: string[]): string[] {
  if (applied.length) return [];
  const old = openPreviousLayout(dataDir);
  if (!old) return [];
  const tables = PREVIOUS_LAYOUT.filter((t) => old.tables.has(t.table)).map((t) => t.table);
  old.db.close();
  return [
    `${DATABASE_FILE} still holds ${tables.join(', ')} of the layout before ${STATE_FILE}; they are not read ` +
      `(${STATE_FILE} is), and may be dropped once you have checked ${STATE_FILE} has what you need`,
  ];
}
