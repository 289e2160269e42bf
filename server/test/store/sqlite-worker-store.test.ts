// The worker-thread store runs the whole store contract; each store starts a writer thread (~0.2 s), hence an integration test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { toColumns, type ReadingBatch } from '@opsroom/models';
import { migrate, openDatabase } from '../../src/store/sqlite-db.js';
import { SqliteWorkerStore } from '../../src/store/sqlite-worker-store.js';
import { runStoreContract } from '../support/store-contract.js';

runStoreContract('SqliteWorkerStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsroom-sqlite-worker-'));
  return {
    store: await SqliteWorkerStore.open(dir),
    reopen: async () => SqliteWorkerStore.open(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SqliteWorkerStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsroom-sqlite-worker-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes while another connection commits to the same file, without a single "database is locked"', async () => {
    // The writer thread's connection and another one (until the state database moved to state.db,
    // the main thread's alerts and sessions; now e.g. a tool) write the same WAL file. Deferred
    // transactions failed here with SQLITE_BUSY as soon as one connection committed between the
    // other's first read and its write.
    const store = await SqliteWorkerStore.open(dir);
    const db = openDatabase(dir, { busyTimeoutMs: 1000 }); // a lock held longer than this is a failure here, not a hang
    migrate(db, 'probe', ['CREATE TABLE probe_rows (id TEXT PRIMARY KEY, at INTEGER NOT NULL)']);
    const insert = db.prepare('INSERT INTO probe_rows (id, at) VALUES (?, ?)');
    const saveRow = db.transaction((id: string, at: number) => insert.run(id, at)).immediate;
    const t0 = Date.now() - 3_600_000;
    const writes: Array<Promise<void>> = [];
    let failures = 0;
    for (let i = 0; i < 300; i++) {
      const batch: ReadingBatch = {
        ...toColumns(Array.from({ length: 50 }, (_, j) => ({ metric: 'output', value: j, ts: t0 + i * 50 + j }))),
        deviceId: `d${i % 7}`,
        node: `r/n${i % 13}`,
      };
      writes.push(store.writeReadings([batch]).catch(() => void failures++));
      try {
        saveRow(`a${i}`, t0 + i); // the other connection commits while writer transactions are in flight
      } catch {
        failures++;
      }
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(writes);
    expect(failures).toBe(0);
    expect(await store.count()).toBe(300 * 50);
    expect(db.prepare('SELECT count(*) FROM probe_rows').pluck().get()).toBe(300);
    await store.close();
    db.close();
  }, 60_000);

  it('leaves the caller its arrays: they are copied, not transferred', async () => {
    const store = await SqliteWorkerStore.open(dir);
    const b: ReadingBatch = {
      node: 'n',
      deviceId: 'd',
      length: 2,
      metricNames: ['m'],
      metric: new Uint16Array(2),
      ts: Float64Array.from([1, 2]),
      values: Float64Array.from([3, 4]),
    };
    await store.writeReadings([b]);
    expect([b.ts.length, b.ts[1], b.values[0]]).toEqual([2, 2, 3]);
    expect(await store.count()).toBe(2);
    await store.close();
  });

  it('counts malformed readings the writer skipped and reports them in health', async () => {
    const store = await SqliteWorkerStore.open(dir);
    await store.writeBatch([
      { node: 'n', metric: 'm', deviceId: 'd', ts: 1, value: 2 },
      { node: 'n', metric: 'm', deviceId: 'd', ts: -1, value: 2 },
    ]);
    expect(store.rejectedPoints).toBe(1);
    expect(store.health()).toEqual(
      expect.objectContaining({
        ok: true,
        detail: expect.stringMatching(/writer thread: .*1 malformed points rejected/),
      }),
    );
    await store.close();
  });

  it('rejects writes with a clear error once its writer thread has died, and keeps reading', async () => {
    const store = await SqliteWorkerStore.open(dir);
    await store.writeBatch([{ node: 'n', metric: 'm', deviceId: 'd', ts: 1, value: 2 }]);
    await (store as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(store.writeBatch([{ node: 'n', metric: 'm', deviceId: 'd', ts: 2, value: 2 }])).rejects.toThrow(
      /writer thread exited.*restart/,
    );
    expect(store.health().ok).toBe(false);
    expect(await store.query({ node: 'n', metric: 'm', from: 0, to: 10 })).toEqual([{ ts: 1, value: 2 }]);
    await store.close();
  });

  it('refuses a data directory it cannot open, saying which', async () => {
    await expect(SqliteWorkerStore.open('')).rejects.toThrow(/data directory/);
  });
});
