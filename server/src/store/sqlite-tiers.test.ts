import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mulberry32 } from '@opsroom/models';
import { SqliteStore } from './sqlite-store.js';
import { openDatabase } from './sqlite-db.js';
import type { SqliteDatabase } from './sqlite-db.js';
import type { Aggregate, RangeQuery, StoredPoint } from './store.js';
import { AGGREGATES } from './validate.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = 1_699_999_200_000; // a whole hour (2023-11-14T22:00:00Z)
const WINDOWS = [MIN, 2 * MIN, 5 * MIN, 90 * MIN, HOUR, 2 * HOUR, DAY];

/**
 * Random readings of one series from 3 devices over two days on a 7 s grid (so devices share
 * instants and a device repeats one), values multiples of 1/8 (sums are exact, so means compare
 * exactly), plus a distractor series. Returned in random batches, with duplicates carrying other
 * values both inside a batch and in later batches.
 */
function randomBatches(seed: number, n: number, exactValues: boolean): StoredPoint[][] {
  const rand = mulberry32(seed);
  const points: StoredPoint[] = [];
  for (let i = 0; i < n; i++) {
    const ts = T0 + Math.floor(rand() * ((2 * DAY) / 7_000)) * 7_000 + (rand() < 0.2 ? Math.floor(rand() * 7_000) : 0);
    const value = exactValues ? Math.round((rand() - 0.3) * 8_000) / 8 : (rand() - 0.3) * 1e3 * Math.exp(rand() * 5);
    points.push({ node: 'plant/a', metric: 'output', deviceId: `d${Math.floor(rand() * 3)}`, ts, value });
    if (rand() < 0.1) points.push({ node: 'plant/a', metric: 'energy', deviceId: 'd0', ts, value: 1e6 });
  }
  const batches: StoredPoint[][] = [];
  let i = 0;
  while (i < points.length) {
    const size = 1 + Math.floor(rand() * 400);
    const batch = points.slice(i, i + size);
    for (let k = 0; k < 5; k++) {
      // duplicates of earlier points (from this batch or any before it) with other values: ignored
      const p = points[Math.floor(rand() * (i + batch.length))]!;
      batch.splice(Math.floor(rand() * batch.length), 0, { ...p, value: p.value + 1 });
    }
    batches.push(batch);
    i += size;
  }
  return batches;
}

function randomQueries(seed: number, count: number): RangeQuery[] {
  const rand = mulberry32(seed);
  const out: RangeQuery[] = [];
  for (let i = 0; i < count; i++) {
    const windowMs = WINDOWS[i % WINDOWS.length]!;
    const aggregate = AGGREGATES[Math.floor(i / WINDOWS.length) % AGGREGATES.length]!;
    let from = T0 - HOUR + rand() * 2.2 * DAY;
    let to = from + rand() * rand() * 2 * DAY;
    if (i % 3 === 0) from = Math.floor(from / windowMs) * windowMs; // aligned start
    if (i % 4 === 0) to = Math.floor(to);
    if (i % 11 === 0) [from, to] = [T0 - DAY, T0 + 3 * DAY]; // everything
    out.push({ node: 'plant/a', metric: 'output', from, to, windowMs, aggregate });
  }
  return out;
}

describe('SqliteStore downsampled tiers', () => {
  let dir: string;
  let db: SqliteDatabase;
  let tiered: SqliteStore;
  let raw: SqliteStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsroom-tiers-'));
    db = openDatabase(dir);
    tiered = SqliteStore.onDatabase(db);
    raw = SqliteStore.onDatabase(db, { readTiers: false });
  });

  afterEach(async () => {
    await tiered.close();
    await raw.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function expectTiersEqualRaw(queries: RangeQuery[], exact: boolean): Promise<number> {
    let windows = 0;
    for (const q of queries) {
      const want = await raw.query(q);
      const got = await tiered.query(q);
      windows += want.length;
      if (exact || q.aggregate !== 'mean') {
        expect({ q, got }).toEqual({ q, got: want });
      } else {
        expect(got.map((p) => p.ts)).toEqual(want.map((p) => p.ts));
        got.forEach((p, i) =>
          expect(Math.abs(p.value - want[i]!.value)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want[i]!.value))),
        );
      }
    }
    return windows;
  }

  it('answers every aggregate exactly as the raw points do on random data with duplicates and shared instants', async () => {
    for (const batch of randomBatches(7, 6_000, true)) await tiered.writeBatch(batch);
    const windows = await expectTiersEqualRaw(randomQueries(11, 210), true);
    expect(windows).toBeGreaterThan(1_000); // the queries did find data
  });

  it('gives means within 1e-9 of the raw means for arbitrary values (only summation order differs)', async () => {
    for (const batch of randomBatches(3, 4_000, false)) await tiered.writeBatch(batch);
    await expectTiersEqualRaw(randomQueries(5, 140), false);
  });

  it('counts a point once however often it is written, in one batch or many', async () => {
    const p: StoredPoint = { node: 'plant/a', metric: 'output', deviceId: 'd1', ts: T0 + 5_000, value: 2 };
    await tiered.writeBatch([p, { ...p, value: 3 }, p]);
    await tiered.writeBatch([p, { ...p, ts: T0 + 6_000, value: 4 }]);
    const q = { node: 'plant/a', metric: 'output', from: T0, to: T0 + DAY - 1 };
    expect(await tiered.query({ ...q, windowMs: MIN, aggregate: 'count' })).toEqual([{ ts: T0, value: 2 }]);
    expect(await tiered.query({ ...q, windowMs: HOUR, aggregate: 'mean' })).toEqual([{ ts: T0, value: 3 }]);
    expect(db.prepare('SELECT n, total, lo, hi, last_ts, last_value FROM points_1h').all()).toEqual([
      { n: 2, total: 6, lo: 2, hi: 4, last_ts: T0 + 6_000, last_value: 4 },
    ]);
  });

  it('answers long ranges from the tier: a week of minute data reads 168 hour buckets, not 10,080 points', async () => {
    const batch: StoredPoint[] = [];
    for (let i = 0; i < 7 * 24 * 60; i++)
      batch.push({ node: 'plant/a', metric: 'output', deviceId: 'd1', ts: T0 + i * MIN, value: i });
    await tiered.writeBatch(batch);
    expect(await tiered.tierBuckets('minute')).toBe(10_080);
    expect(await tiered.tierBuckets('hour')).toBe(168);
    const q = {
      node: 'plant/a',
      metric: 'output',
      from: T0,
      to: T0 + 7 * DAY,
      windowMs: HOUR,
      aggregate: 'max' as Aggregate,
    };
    // Without raw points, whatever the hour tier says is what the query returns.
    db.exec('DELETE FROM points; DELETE FROM chunks');
    const got = await tiered.query(q);
    expect(got).toHaveLength(168);
    expect(got[0]).toEqual({ ts: T0, value: 59 });
    expect(await raw.query(q)).toEqual([]);
  });

  it('keeps the tiers when deleteBefore removes raw points', async () => {
    for (const batch of randomBatches(9, 500, true)) await tiered.writeBatch(batch);
    const minute = await tiered.tierBuckets('minute');
    expect(await tiered.deleteBefore(T0 + DAY)).toBeGreaterThan(0);
    expect(await tiered.tierBuckets('minute')).toBe(minute);
  });

  it('backfills the tiers from points written before they existed (schema step 2)', async () => {
    for (const batch of randomBatches(13, 3_000, true)) await tiered.writeBatch(batch);
    const before = db.prepare('SELECT * FROM points_1m ORDER BY series_id, bucket').all();
    const hours = db.prepare('SELECT * FROM points_1h ORDER BY series_id, bucket').all();
    await tiered.close();
    // A database from before tiers and chunks: every point a `points` row.
    const chunks = db.prepare('SELECT series_id, device_id, ts, vals FROM chunks').raw().all() as [
      number,
      number,
      Buffer,
      Buffer,
    ][];
    const insert = db.prepare('INSERT INTO points (series_id, device_id, ts, value) VALUES (?, ?, ?, ?)');
    for (const [s, d, ts, vals] of chunks) {
      for (let i = 0; i < ts.length / 8; i++) insert.run(s, d, ts.readDoubleLE(i * 8), vals.readDoubleLE(i * 8));
    }
    expect(chunks.length).toBeGreaterThan(0);
    db.exec(
      "DROP TABLE points_1m; DROP TABLE points_1h; DROP TABLE chunks; UPDATE schema_versions SET version = 1 WHERE component = 'timeseries'",
    );
    tiered = SqliteStore.onDatabase(db);
    expect(db.prepare("SELECT version FROM schema_versions WHERE component = 'timeseries'").pluck().get()).toBe(3);
    expect(db.prepare('SELECT * FROM points_1m ORDER BY series_id, bucket').all()).toEqual(before);
    expect(db.prepare('SELECT * FROM points_1h ORDER BY series_id, bucket').all()).toEqual(hours);
    await expectTiersEqualRaw(randomQueries(17, 70), true);
  });

  it('stores nothing in the tiers when the raw write fails', async () => {
    await tiered.writeBatch([{ node: 'plant/a', metric: 'output', deviceId: 'd1', ts: T0, value: 1 }]);
    db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON points WHEN NEW.value = 666 BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    await expect(
      tiered.writeBatch([
        { node: 'plant/a', metric: 'output', deviceId: 'd1', ts: T0 + 1, value: 5 },
        { node: 'plant/a', metric: 'output', deviceId: 'd1', ts: T0 + 2, value: 666 },
      ]),
    ).rejects.toThrow(/nothing of this batch was stored/);
    expect(db.prepare('SELECT n, total FROM points_1m').all()).toEqual([{ n: 1, total: 1 }]);
  });
});
