// The chunk path of the embedded store (issue 10): what lands in which table, high-water marks
// with other writers, old `points` rows read together with chunks, tiers and retention over chunks.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ReadingBatch } from '@opsroom/models';
import { mulberry32 } from '@opsroom/models';
import { countTurns } from '../../test/support/count-turns.js';
import { SqliteStore } from './sqlite-store.js';
import { openDatabase } from './sqlite-db.js';
import type { SqliteDatabase } from './sqlite-db.js';
import { toReadingBatches } from '../../test/support/store-contract.js';
import type { StoredPoint } from './store.js';
import { AGGREGATES } from './validate.js';

const T0 = 1_699_999_200_000; // a whole hour
const MIN = 60_000;

function run(deviceId: string, from: number, n: number, step = 1, metric = 'output'): ReadingBatch {
  const ts = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ts[i] = from + i * step;
    values[i] = ts[i]! - T0;
  }
  return { node: 'plant/a', deviceId, length: n, metricNames: [metric], metric: new Uint16Array(n), ts, values };
}

const whole = { node: 'plant/a', metric: 'output', from: T0, to: T0 + 86_400_000 };

describe('SqliteStore chunks', () => {
  let dir: string;
  let db: SqliteDatabase;
  let store: SqliteStore;
  const extra: { close(): Promise<void> | void }[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsroom-chunks-'));
    db = openDatabase(dir);
    store = SqliteStore.onDatabase(db);
  });

  afterEach(async () => {
    await store.close();
    for (const x of extra.splice(0)) await x.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const rows = (sql: string): unknown => db.prepare(sql).pluck().get();

  it('stores one call of many batches from one device as one chunk row, packed as Float64 little-endian', async () => {
    await store.writeReadings(Array.from({ length: 20 }, (_, b) => run('d1', T0 + b * 100, 100)));
    expect(rows('SELECT count(*) FROM chunks')).toBe(1);
    expect(rows('SELECT count(*) FROM points')).toBe(0);
    const c = db.prepare('SELECT t0, t1, n, length(ts) AS tb, ts, vals FROM chunks').get() as {
      t0: number;
      t1: number;
      n: number;
      tb: number;
      ts: Buffer;
      vals: Buffer;
    };
    expect([c.t0, c.t1, c.n, c.tb]).toEqual([T0, T0 + 1_999, 2_000, 16_000]);
    expect([c.ts.readDoubleLE(8), c.vals.readDoubleLE(8 * 1_999)]).toEqual([T0 + 1, 1_999]);
    expect(await store.count()).toBe(2_000);
  });

  it('writes one chunk per (series, device) of a call, and runs shorter than 4 points as rows', async () => {
    await store.writeReadings([
      run('d1', T0, 10),
      run('d2', T0, 10),
      run('d1', T0 + 10, 10),
      run('d3', T0, 3),
      run('d1', T0, 5, 1, 'energy'),
    ]);
    expect(db.prepare('SELECT device_id, n FROM chunks ORDER BY series_id, device_id').raw().all()).toEqual([
      [1, 20],
      [2, 10],
      [1, 5],
    ]);
    expect(rows('SELECT count(*) FROM points')).toBe(3);
    expect(await store.count()).toBe(38);
  });

  it('reads rows written before chunks existed together with chunks, and starts the new run above them', async () => {
    await store.writeBatch([{ node: 'plant/a', metric: 'output', deviceId: 'd1', ts: T0, value: 0 }]); // creates series, device
    const ins = db.prepare('INSERT INTO points (series_id, device_id, ts, value) VALUES (1, 1, ?, ?)');
    for (let i = 1; i < 10; i++) ins.run(T0 + i * 2, -i); // as an old database: even ms 2..18
    const fresh = SqliteStore.onDatabase(openDatabase(dir)); // marks read from the tables, not from a cache
    extra.push(fresh);
    await fresh.writeReadings([run('d1', T0 + 10, 20)]); // 10..29: 10..18 overlap (even stored, odd new), 19..29 new
    // The even ms 10..18 keep their old values (-5..-9); odd 11..17 go in as rows, 19..29 as one chunk.
    expect(db.prepare('SELECT t0, n FROM chunks').raw().all()).toEqual([[T0 + 19, 11]]);
    const got = await fresh.query(whole);
    expect(got.map((p) => p.ts - T0)).toEqual([0, 2, 4, 6, 8, ...Array.from({ length: 20 }, (_, i) => 10 + i)]);
    expect(got.filter((p) => p.ts - T0 >= 10 && p.ts - T0 <= 18).map((p) => p.value)).toEqual([
      -5, 11, -6, 13, -7, 15, -8, 17, -9,
    ]);
    expect(await fresh.latest()).toEqual([
      { node: 'plant/a', metric: 'output', deviceId: 'd1', ts: T0 + 29, value: 29 },
    ]);
    // Raw windows (10 s is no tier's multiple) count both tables; the old rows never reached the tiers.
    expect(await fresh.query({ ...whole, windowMs: 10_000, aggregate: 'count' })).toEqual([{ ts: T0, value: 25 }]);
    expect(await fresh.query({ ...whole, windowMs: MIN, aggregate: 'count' })).toEqual([{ ts: T0, value: 1 + 4 + 11 }]);
  });

  it.each([
    ['another connection', (): SqliteStore => SqliteStore.open(dir)],
    ['the same connection', (): SqliteStore => SqliteStore.onDatabase(db)],
  ])('stores nothing twice when %s writes between its writes', async (_, other) => {
    const b = other();
    extra.push(b);
    await b.writeReadings([run('d1', T0, 5)]); // b's mark: T0 + 4
    await store.writeReadings([run('d1', T0 + 5, 5)]); // 5..9 as a chunk
    await b.writeReadings([run('d1', T0 + 5, 10)]); // 5..9 are stored: only 10..14 are new
    expect(await store.count()).toBe(15);
    expect((await store.query(whole)).map((p) => p.ts - T0)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(await store.query({ ...whole, windowMs: MIN, aggregate: 'count' })).toEqual([{ ts: T0, value: 15 }]);
  });

  it('stores nothing of a failed write, tiers included, and writes correctly afterwards', async () => {
    await store.writeReadings([run('d1', T0, 10)]);
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON chunks BEGIN SELECT RAISE(ABORT, 'refused'); END");
    await expect(store.writeReadings([run('d1', T0 + 10, 10), run('d2', T0, 3)])).rejects.toThrow(
      /nothing of this batch was stored/,
    );
    expect(store.health().ok).toBe(false);
    db.exec('DROP TRIGGER refuse');
    await store.writeReadings([run('d1', T0 + 5, 15), run('d2', T0, 3)]);
    expect(await store.count()).toBe(23);
    expect(db.prepare('SELECT n, total FROM points_1m').raw().all()).toEqual([[23, 190 + 3]]);
    expect(store.health().ok).toBe(true);
  });

  it('answers every aggregate from the tiers exactly as from raw points, written in columns out of order with duplicates', async () => {
    const raw = SqliteStore.onDatabase(db, { readTiers: false });
    extra.push(raw);
    const rand = mulberry32(21);
    const points: StoredPoint[] = [];
    for (let i = 0; i < 20_000; i++) {
      // three devices mostly in time order (ts advancing ~2.5 s), 10 % late by up to 10 minutes, 3 % repeated
      const late = rand() < 0.1 ? Math.floor(rand() * 600_000) : 0;
      points.push({
        node: 'plant/a',
        metric: 'output',
        deviceId: `d${i % 3}`,
        ts: T0 + Math.floor(i * 2_500) - late,
        value: Math.round(rand() * 800) / 8,
      });
      if (rand() < 0.03) points.push({ ...points[Math.floor(rand() * points.length)]!, value: -1 });
    }
    for (let i = 0, k = 0; i < points.length; k++) {
      const size = 50 + Math.floor(rand() * 2_000);
      const slice = points.slice(i, i + size);
      if (k % 3 === 2) await store.writeBatch(slice);
      else await store.writeReadings(toReadingBatches(slice));
      i += size;
    }
    const distinct = new Set(points.map((p) => `${p.deviceId} ${p.ts}`)).size;
    expect(await store.count()).toBe(distinct);
    expect(rows('SELECT count(*) FROM points')).toBeGreaterThan(0); // the late ones
    for (const windowMs of [MIN, 5 * MIN, 3_600_000, 7_200_000]) {
      for (const aggregate of AGGREGATES) {
        for (const [from, to] of [
          [whole.from, whole.to],
          [T0 + 123_457, T0 + 40_000_321],
        ] as const) {
          const q = { ...whole, from, to, windowMs, aggregate };
          expect({ q, got: await store.query(q) }).toEqual({ q, got: await raw.query(q) });
        }
      }
    }
    const days = await store.query({ ...whole, from: 0, windowMs: 86_400_000, aggregate: 'count' });
    expect(days.reduce((a, p) => a + p.value, 0)).toBe(distinct);
  });

  it('deletes whole chunks, rewrites the one the cut-off falls in, and gives the event loop turns', async () => {
    // 4 devices x 5 calls x 4,000 points: 20 chunks, 80,000 points, 1 ms apart per device.
    for (let c = 0; c < 5; c++)
      await store.writeReadings(['d1', 'd2', 'd3', 'd4'].map((d) => run(d, T0 + c * 4_000, 4_000)));
    expect(rows('SELECT count(*) FROM chunks')).toBe(20);
    const turns = countTurns();
    // Cut at 10,500: per device chunks 0..3999 and 4000..7999 go whole, 8000..11999 keeps 10500..11999.
    expect(await store.deleteBefore(T0 + 10_500)).toBe(4 * 10_500);
    expect(turns.stop()).toBeGreaterThanOrEqual(4);
    expect(rows('SELECT count(*) FROM chunks')).toBe(12);
    expect(
      db
        .prepare('SELECT DISTINCT t0, n FROM chunks WHERE t0 < ?')
        .raw()
        .all(T0 + 12_000),
    ).toEqual([[T0 + 10_500, 1_500]]);
    expect(await store.count()).toBe(4 * 9_500);
    expect((await store.query({ ...whole, to: T0 + 10_501 })).map((p) => p.ts - T0)).toEqual([
      10_500, 10_500, 10_500, 10_500, 10_501, 10_501, 10_501, 10_501,
    ]);
    // A redelivery of the deleted range is stored again (the documented limit), of the kept range not.
    await store.writeReadings([run('d1', T0 + 10_400, 200)]);
    expect(await store.count()).toBe(4 * 9_500 + 100);
  });
});
