import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { countTurns } from '../../test/support/count-turns.js';
import { SqliteStore } from './sqlite-store.js';
import type { StoredPoint } from './store.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = 1_699_999_200_000; // a whole hour
const NOW = T0 + 3 * DAY + 30 * MIN + 15_000; // not on a bucket boundary

/** Three days of one reading a minute (at 10 s past) for 2 nodes x 2 devices: 17,280 raw points. */
function threeDays(): StoredPoint[] {
  const out: StoredPoint[] = [];
  for (let i = 0; i < 3 * 24 * 60; i++) {
    for (const node of ['a', 'b'])
      for (const deviceId of ['d1', 'd2'])
        out.push({ node, metric: 'm', deviceId, ts: T0 + i * MIN + 10_000, value: i });
  }
  return out;
}

describe('SqliteStore.applyRetention', () => {
  let dir: string;
  let store: SqliteStore;
  const points = threeDays();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsroom-retention-'));
    store = SqliteStore.open(dir);
    for (let i = 0; i < points.length; i += 5_000) await store.writeBatch(points.slice(i, i + 5_000));
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('deletes raw points, minute and hour buckets each past its own age, keeping what is younger', async () => {
    const policy = { rawMs: DAY, minuteMs: 2 * DAY, hourMs: 2.5 * DAY };
    const rawCut = NOW - DAY;
    const minuteCut = Math.floor((NOW - 2 * DAY) / MIN) * MIN; // buckets starting before it end by the cut-off
    const hourCut = Math.floor((NOW - 2.5 * DAY) / HOUR) * HOUR;
    const minuteBuckets = [...new Set(points.map((p) => `${p.node} ${Math.floor(p.ts / MIN) * MIN}`))].map((k) =>
      Number(k.split(' ')[1]),
    );
    const hourBuckets = [...new Set(points.map((p) => `${p.node} ${Math.floor(p.ts / HOUR) * HOUR}`))].map((k) =>
      Number(k.split(' ')[1]),
    );
    const expected = {
      raw: points.filter((p) => p.ts < rawCut).length,
      minute: minuteBuckets.filter((b) => b < minuteCut).length,
      hour: hourBuckets.filter((b) => b < hourCut).length,
    };
    expect(expected.raw).toBeGreaterThan(5_000); // more than one delete transaction
    expect(await store.applyRetention(policy, NOW)).toEqual(expected);
    expect(await store.count()).toBe(points.length - expected.raw);
    expect(await store.tierBuckets('minute')).toBe(minuteBuckets.length - expected.minute);
    expect(await store.tierBuckets('hour')).toBe(hourBuckets.length - expected.hour);
    expect(await store.applyRetention(policy, NOW)).toEqual({ raw: 0, minute: 0, hour: 0 });
  });

  it('still answers long ranges from the tiers after the raw points are gone', async () => {
    await store.applyRetention({ rawMs: DAY, minuteMs: 2 * DAY }, NOW);
    const q = { node: 'a', metric: 'm', from: T0, to: NOW };
    expect((await store.query(q))[0]!.ts).toBeGreaterThanOrEqual(NOW - DAY);
    const minutes = await store.query({ ...q, windowMs: MIN, aggregate: 'count' });
    expect(minutes[0]!.ts).toBe(Math.floor((NOW - 2 * DAY) / MIN) * MIN);
    expect(minutes.every((p) => p.value === 2)).toBe(true);
    const hours = await store.query({ ...q, windowMs: HOUR, aggregate: 'count' });
    expect(hours[0]).toEqual({ ts: T0, value: 120 }); // hours kept forever: the first hour is whole
  });

  it('keeps every tier bucket forever when hourMs is omitted', async () => {
    const hours = await store.tierBuckets('hour');
    const r = await store.applyRetention({ rawMs: MIN, minuteMs: MIN }, NOW + 365 * DAY);
    expect(r.raw).toBe(points.length);
    expect(r.hour).toBe(0);
    expect(await store.tierBuckets('hour')).toBe(hours);
    expect(await store.tierBuckets('minute')).toBe(0);
  });

  it('gives the event loop turns while it deletes, in transactions of at most 5,000 rows', async () => {
    const turns = countTurns();
    const r = await store.applyRetention({ rawMs: MIN, minuteMs: MIN, hourMs: MIN }, NOW + DAY);
    const turnsTaken = turns.stop();
    expect(r.raw).toBe(points.length);
    expect(turnsTaken).toBeGreaterThanOrEqual(Math.floor(points.length / 5_000));
  });

  it('rejects a policy whose coarser ages are shorter than finer ones, or a bad now, deleting nothing', async () => {
    await expect(store.applyRetention({ rawMs: 2 * DAY, minuteMs: DAY }, NOW)).rejects.toThrow(
      /minuteMs .* must be at least rawMs/,
    );
    await expect(store.applyRetention({ rawMs: DAY, minuteMs: 2 * DAY, hourMs: DAY }, NOW)).rejects.toThrow(/hourMs/);
    await expect(store.applyRetention({ rawMs: -1, minuteMs: DAY }, NOW)).rejects.toThrow(/rawMs must be a positive/);
    await expect(store.applyRetention({ rawMs: DAY, minuteMs: DAY }, Number.NaN)).rejects.toThrow(/now/);
    expect(await store.count()).toBe(points.length);
  });

  it('refuses to run once closed', async () => {
    await store.close();
    await expect(store.applyRetention({ rawMs: DAY, minuteMs: DAY }, NOW)).rejects.toThrow(/closed/);
  });
});
