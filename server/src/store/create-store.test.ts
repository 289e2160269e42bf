import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createStore } from './create-store.js';
import type { StoreConfig } from './create-store.js';
import { InfluxStore } from './influx-store.js';
import { MemoryStore } from './memory-store.js';
import { SqliteStore } from './sqlite-store.js';
import { VictoriaMetricsStore } from './victoria-store.js';

describe('createStore', () => {
  it('makes a memory store', async () => {
    const store = createStore({ kind: 'memory' });
    expect(store).toBeInstanceOf(MemoryStore);
    await store.close();
  });

  it('makes the embedded store in the data directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsroom-create-'));
    const store = createStore({ kind: 'embedded', dataDir: dir });
    expect(store).toBeInstanceOf(SqliteStore);
    expect(store.health().detail).toContain(join(dir, 'opsroom.db'));
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('makes an InfluxDB store without contacting it', async () => {
    const store = createStore({ kind: 'influxdb', url: 'http://127.0.0.1:1', org: 'o', bucket: 'b', token: 't' });
    expect(store).toBeInstanceOf(InfluxStore);
    expect(store.health()).toMatchObject({ ok: true, backend: 'influxdb' });
    await store.close();
  });

  it('makes a VictoriaMetrics store, which reads the server flags once without failing when it is down', async () => {
    const store = createStore({ kind: 'victoriametrics', url: 'http://127.0.0.1:1' });
    expect(store).toBeInstanceOf(VictoriaMetricsStore);
    expect(store.health()).toMatchObject({ ok: true, backend: 'victoriametrics' });
    expect(store.latestAtStartup).toBe(true);
    await store.close();
    expect(() => createStore({ kind: 'victoriametrics', url: 'vm:8428' })).toThrow(
      /victoriametrics' needs an http:\/\/ or https:\/\/ `url`/,
    );
    expect(() => createStore({ kind: 'victoriametrics' } as StoreConfig)).toThrow(/needs `url`/);
  });

  it('names the missing field and what it is for', () => {
    expect(() => createStore({ kind: 'embedded' } as StoreConfig)).toThrow(
      /store kind 'embedded' needs `dataDir`.*missing/,
    );
    expect(() => createStore({ kind: 'influxdb', url: 'http://x', org: 'o', bucket: 'b' } as StoreConfig)).toThrow(
      /needs `token`: an InfluxDB API token/,
    );
    expect(() => createStore({ kind: 'influxdb', url: 'http://x', org: '', bucket: 'b', token: 't' })).toThrow(
      /needs `org`.*empty/,
    );
    expect(() => createStore({ kind: 'influxdb', url: 'x:8086', org: 'o', bucket: 'b', token: 't' })).toThrow(
      /http:\/\/ or https:\/\//,
    );
  });

  it('refuses an unknown kind, listing the known ones', () => {
    expect(() => createStore({ kind: 'mongo' } as unknown as StoreConfig)).toThrow(
      /unknown store kind 'mongo'; use one of embedded, memory, influxdb, victoriametrics/,
    );
    expect(() => createStore(null as unknown as StoreConfig)).toThrow(/kind/);
  });
});
