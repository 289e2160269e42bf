import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { migrate, openDatabase } from '../store/sqlite-db.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { STATE_FILE, STATE_MIGRATIONS, openStateDatabase } from './state-db.js';

const tables = (db: Database.Database) => {
  const query = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck();
  const names = query.all() as string[];
  return names.filter((t) => !t.startsWith('sqlite_'));
};

/** The state tables as the previous layout created them inside opsroom.db (its component migrations, verbatim). */
function writePreviousLayout(dir: string, versions = { alerts: 1, maintenance: 1, sessions: 1 }): void {
  const db = openDatabase(dir);
  migrate(db, 'alerts', [
    `CREATE TABLE alert_docs (id TEXT PRIMARY KEY, raised_at INTEGER NOT NULL, resolved INTEGER NOT NULL,
       doc TEXT NOT NULL);
     CREATE INDEX alert_docs_open ON alert_docs (resolved, raised_at);`,
  ]);
  migrate(db, 'maintenance', [
    `CREATE TABLE maintenance_windows (id TEXT PRIMARY KEY, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,
       doc TEXT NOT NULL);
     CREATE INDEX maintenance_windows_end ON maintenance_windows (end_ms);`,
  ]);
  migrate(db, 'sessions', [
    `CREATE TABLE auth_sessions (token_sha256 TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL,
       scope TEXT NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;`,
  ]);
  db.prepare('INSERT INTO alert_docs VALUES (?, ?, ?, ?)').run('open-1', 10, 0, '{"id":"open-1","state":"raised"}');
  db.prepare('INSERT INTO alert_docs VALUES (?, ?, ?, ?)').run('done-1', 5, 1, '{"id":"done-1","state":"resolved"}');
  db.prepare('INSERT INTO maintenance_windows VALUES (?, ?, ?, ?)').run('w1', 1, 2, '{"id":"w1"}');
  db.prepare('INSERT INTO auth_sessions VALUES (?, ?, ?, ?, ?)').run('digest', 'boss', 'planner', 'r', 99);
  const setVersion = db.prepare('UPDATE schema_versions SET version = ? WHERE component = ?');
  for (const [c, v] of Object.entries(versions)) setVersion.run(v, c);
  db.close();
}

describe('openStateDatabase', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'opsroom-state-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('creates <dataDir>/state.db at the latest schema version, with nothing else in the directory', () => {
    const dir = tmp();
    const s = openStateDatabase(dir);
    expect(s.path).toBe(join(dir, STATE_FILE));
    expect(s.version).toBe(STATE_MIGRATIONS.length);
    expect(s.db.pragma('user_version', { simple: true })).toBe(STATE_MIGRATIONS.length);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(tables(s.db)).toEqual([
      'alert_docs',
      'auth_sessions',
      'fed_alert_links',
      'fed_cursors',
      'fed_inbox',
      'fed_outbox',
      'maintenance_windows',
    ]);
    expect(s.applied).toEqual(STATE_MIGRATIONS.map((m) => m.name));
    expect(s.created).toBe(true); // one 'created' line at start-up, not a migration per step
    s.db.close();
    expect(existsSync(join(dir, 'opsroom.db'))).toBe(false);
  });

  it('applies nothing when opened again, and keeps what was saved', () => {
    const dir = tmp();
    const first = openStateDatabase(dir);
    first.db.prepare('INSERT INTO alert_docs VALUES (?, ?, ?, ?)').run('a', 1, 0, '{}');
    first.db.close();
    const second = openStateDatabase(dir);
    expect(second.applied).toEqual([]);
    expect(second.created).toBe(false);
    expect(second.db.prepare('SELECT id FROM alert_docs').pluck().all()).toEqual(['a']);
    second.db.close();
  });

  it('continues from the version a file has: an older file gets only the missing steps', () => {
    const dir = tmp();
    openStateDatabase(dir, { migrations: STATE_MIGRATIONS.slice(0, 1) }).db.close();
    const s = openStateDatabase(dir);
    expect(s.applied).toEqual(STATE_MIGRATIONS.slice(1).map((m) => m.name));
    expect(s.created).toBe(false);
    expect(s.db.pragma('user_version', { simple: true })).toBe(STATE_MIGRATIONS.length);
    s.db.close();
  });

  it('refuses a file newer than this server, naming it, and leaves it as it was', () => {
    const dir = tmp();
    const s = openStateDatabase(dir);
    s.db.pragma('user_version = 99');
    s.db.close();
    expect(() => openStateDatabase(dir)).toThrow(
      /state\.db has schema version 99, newer than this server knows \(3\); upgrade the server/,
    );
    const raw = new Database(join(dir, STATE_FILE));
    expect(raw.pragma('user_version', { simple: true })).toBe(99);
    raw.close();
  });

  it('moves the state tables of the previous layout out of opsroom.db, leaving its time series alone', async () => {
    const dir = tmp();
    const store = SqliteStore.open(dir);
    await store.writeBatch([{ node: 'r/a', metric: 'output', deviceId: 'd1', ts: 1_000, value: 7 }]);
    await store.close();
    writePreviousLayout(dir);

    const s = openStateDatabase(dir);
    expect(s.applied[1]).toMatch(
      /move the state tables.*: 2 rows of alert_docs, 1 rows of maintenance_windows, 1 rows of auth_sessions/,
    );
    expect(s.db.prepare('SELECT id, raised_at, resolved, doc FROM alert_docs ORDER BY id').all()).toEqual([
      { id: 'done-1', raised_at: 5, resolved: 1, doc: '{"id":"done-1","state":"resolved"}' },
      { id: 'open-1', raised_at: 10, resolved: 0, doc: '{"id":"open-1","state":"raised"}' },
    ]);
    expect(s.db.prepare('SELECT * FROM maintenance_windows').all()).toEqual([
      { id: 'w1', start_ms: 1, end_ms: 2, doc: '{"id":"w1"}' },
    ]);
    expect(s.db.prepare('SELECT * FROM auth_sessions').all()).toEqual([
      { token_sha256: 'digest', user: 'boss', role: 'planner', scope: 'r', expires: 99 },
    ]);
    s.db.close();

    const old = openDatabase(dir);
    expect(tables(old).filter((t) => ['alert_docs', 'maintenance_windows', 'auth_sessions'].includes(t))).toEqual([]);
    expect(old.prepare('SELECT component FROM schema_versions').pluck().all()).toEqual(['timeseries']);
    old.close();
    const reopened = SqliteStore.open(dir);
    expect(await reopened.count()).toBe(1);
    await reopened.close();
    // Opening again moves nothing twice.
    const again = openStateDatabase(dir);
    expect(again.applied).toEqual([]);
    expect(again.warnings).toEqual([]);
    expect(again.db.prepare('SELECT count(*) FROM alert_docs').pluck().get()).toBe(2);
    again.db.close();
  });

  it('refuses a previous layout whose state tables are at a version it does not know, creating nothing', () => {
    const dir = tmp();
    writePreviousLayout(dir, { alerts: 2, maintenance: 1, sessions: 1 });
    expect(() => openStateDatabase(dir)).toThrow(
      /opsroom\.db holds alert_docs at schema version 2, which this server does not know/,
    );
    // The failed step rolled back: state.db stays at version 1, opsroom.db keeps its tables.
    const raw = new Database(join(dir, STATE_FILE));
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    expect(raw.prepare('SELECT count(*) FROM alert_docs').pluck().get()).toBe(0);
    raw.close();
    const old = openDatabase(dir);
    expect(old.prepare('SELECT count(*) FROM alert_docs').pluck().get()).toBe(2);
    old.close();
  });
  it('tells, and leaves alone, state tables found in opsroom.db once state.db is past the move', () => {
    const dir = tmp();
    openStateDatabase(dir).db.close();
    writePreviousLayout(dir); // e.g. an old opsroom.db copied in
    const s = openStateDatabase(dir);
    expect(s.applied).toEqual([]);
    expect(s.warnings).toEqual([
      expect.stringMatching(/opsroom\.db still holds alert_docs, maintenance_windows, auth_sessions .* not read/),
    ]);
    expect(s.db.prepare('SELECT count(*) FROM alert_docs').pluck().get()).toBe(0);
    s.db.close();
    const old = openDatabase(dir);
    expect(old.prepare('SELECT count(*) FROM alert_docs').pluck().get()).toBe(2);
    old.close();
  });
});
