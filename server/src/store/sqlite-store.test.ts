import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SqliteStore } from './sqlite-store.js';
import { openDatabase, migrate } from './sqlite-db.js';
import type { SqliteDatabase } from './sqlite-db.js';
import { runStoreContract } from '../../test/support/store-contract.js';

runStoreContract('SqliteStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsroom-sqlite-'));
  return {
    store: SqliteStore.open(dir),
    reopen: async () => SqliteStore.open(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStore on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsroom-sqlite-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates <dataDir>/opsroom.db in WAL mode with synchronous=NORMAL, making missing directories', async () => {
    const nested = join(dir, 'a', 'b');
    const store = SqliteStore.open(nested);
    expect(existsSync(join(nested, 'opsroom.db'))).toBe(true);
    expect(store.health().detail).toMatch(/WAL, synchronous=NORMAL/);
    await store.close();
    const db = openDatabase(nested);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    db.close();
  });

  it('opens with synchronous=FULL when asked for power-loss durability', async () => {
    const store = SqliteStore.open(dir, { synchronous: 'FULL' });
    expect(store.health().detail).toMatch(/synchronous=FULL/);
    await store.close();
  });

  it('shares one database with other modules and leaves a shared connection open on close', async () => {
    const db: SqliteDatabase = openDatabase(dir);
    migrate(db, 'alerts', ['CREATE TABLE alert_things (id INTEGER PRIMARY KEY, what TEXT)']);
    const store = SqliteStore.onDatabase(db);
    await store.writeBatch([{ node: 'n', metric: 'm', deviceId: 'd', ts: 1, value: 2 }]);
    db.prepare('INSERT INTO alert_things (what) VALUES (?)').run('x');
    await store.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT count(*) FROM points').pluck().get()).toBe(1);
    expect(db.prepare('SELECT component, version FROM schema_versions ORDER BY component').all()).toEqual([
      { component: 'alerts', version: 1 },
      { component: 'timeseries', version: 3 },
    ]);
    db.close();
  });

  it('migrates each component once, however often it is opened', () => {
    const db = openDatabase(dir);
    const steps = ['CREATE TABLE alert_a (x)', 'CREATE TABLE alert_b (y)'];
    expect(migrate(db, 'alerts', steps.slice(0, 1))).toBe(1);
    expect(migrate(db, 'alerts', steps)).toBe(2);
    expect(migrate(db, 'alerts', steps)).toBe(2);
    expect(() => migrate(db, 'alerts', steps.slice(0, 1))).toThrow(/newer than this server knows/);
    db.close();
  });

  it('counts stored points and malformed points it skipped', async () => {
    const store = SqliteStore.open(dir);
    await store.writeBatch([
      { node: 'n', metric: 'm', deviceId: 'd', ts: 1, value: 2 },
      { node: 'n', metric: 'm', deviceId: 'd', ts: -1, value: 2 },
    ]);
    expect(await store.count()).toBe(1);
    expect(store.rejectedPoints).toBe(1);
    expect(store.health().detail).toMatch(/1 malformed points rejected/);
    await store.close();
  });

  it('refuses a data directory it cannot create, saying which', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    expect(() => SqliteStore.open(join(file, 'data'))).toThrow(/cannot create the data directory .*a-file/);
  });
});
