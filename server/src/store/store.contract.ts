// The contract every TimeSeriesStore implementation runs (memory-store.test.ts, sqlite-store.test.ts).
// Expectations are computed by hand in the comments next to them.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { StoredPoint, TimeSeriesStore } from './store.js';

export interface StoreUnderTest {
  store: TimeSeriesStore;
  /** Opens the same data again; the suite has closed `store` (or the previous reopen) first. Omit for non-persistent stores. */
  reopen?: () => Promise<TimeSeriesStore>;
  /** Removes whatever the store left behind (temp directories). Runs after the store was closed. */
  cleanup: () => Promise<void>;
}

const T0 = 1_700_000_000_000; // 2023-11-14T22:13:20Z, a multiple of 10 s

function pt(node: string, metric: string, deviceId: string, ts: number, value: number): StoredPoint {
  return { node, metric, deviceId, ts, value };
}

function byKey(a: StoredPoint, b: StoredPoint): number {
  const ka = `${a.node}|${a.metric}|${a.deviceId}`;
  const kb = `${b.node}|${b.metric}|${b.deviceId}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * The window dataset: two devices of one series, windows of 10 s from T0.
 *   window T0        : 1 (d1, +1s), 3 (d2, +2s), 5 (d1, +4s)           -> mean 3, min 1, max 5, last 5, count 3
 *   window T0 + 10 s : 10 (d1, +12s), 20 (d2, +13s), 2 (d2, +19.999s)  -> mean 32/3, min 2, max 20, last 2, count 3
 *   window T0 + 20 s : 4 (d2, +20s), 7 (d1, +25s)                      -> mean 5.5, min 4, max 7, last 7, count 2
 */
const WINDOW_POINTS: StoredPoint[] = [
  pt('plant/a', 'output', 'd1', T0 + 1_000, 1),
  pt('plant/a', 'output', 'd1', T0 + 4_000, 5),
  pt('plant/a', 'output', 'd1', T0 + 12_000, 10),
  pt('plant/a', 'output', 'd1', T0 + 25_000, 7),
  pt('plant/a', 'output', 'd2', T0 + 2_000, 3),
  pt('plant/a', 'output', 'd2', T0 + 13_000, 20),
  pt('plant/a', 'output', 'd2', T0 + 19_999, 2),
  pt('plant/a', 'output', 'd2', T0 + 20_000, 4),
  pt('plant/a', 'energy', 'd1', T0 + 1_000, 1000), // another metric of the node: never mixed in
  pt('plant/b', 'output', 'd1', T0 + 1_000, 1000), // another node: never mixed in
];

export function runStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`${name} honours the TimeSeriesStore contract`, () => {
    let sut: StoreUnderTest;
    let store: TimeSeriesStore;

    beforeEach(async () => {
      sut = await makeStore();
      store = sut.store;
    });

    afterEach(async () => {
      await store.close();
      await sut.cleanup();
    });

    const whole = { node: 'plant/a', metric: 'output', from: T0, to: T0 + 60_000 };

    it('reads back what it wrote, as written', async () => {
      await store.writeBatch([
        pt('plant/a', 'output', 'd1', T0, 1.5),
        pt('plant/a', 'output', 'd1', T0 + 1, -2.25),
        pt('plant/a', 'output', 'd1', T0 + 2, 0),
      ]);
      expect(await store.query(whole)).toEqual([
        { ts: T0, value: 1.5 },
        { ts: T0 + 1, value: -2.25 },
        { ts: T0 + 2, value: 0 },
      ]);
    });

    it('returns raw points oldest first whatever order and batches they arrived in', async () => {
      await store.writeBatch([pt('plant/a', 'output', 'd2', T0 + 30, 3), pt('plant/a', 'output', 'd1', T0 + 10, 1)]);
      await store.writeBatch([pt('plant/a', 'output', 'd1', T0 + 40, 4), pt('plant/a', 'output', 'd2', T0 + 20, 2)]);
      expect((await store.query(whole)).map((p) => p.ts)).toEqual([T0 + 10, T0 + 20, T0 + 30, T0 + 40]);
    });

    it('includes both ends of the range and nothing outside it', async () => {
      await store.writeBatch([0, 1, 2, 3, 4].map((i) => pt('plant/a', 'output', 'd1', T0 + i * 100, i)));
      expect(await store.query({ ...whole, from: T0 + 100, to: T0 + 300 })).toEqual([
        { ts: T0 + 100, value: 1 },
        { ts: T0 + 200, value: 2 },
        { ts: T0 + 300, value: 3 },
      ]);
      expect(await store.query({ ...whole, from: T0 + 301, to: T0 + 399 })).toEqual([]);
      expect(await store.query({ ...whole, from: T0 + 300, to: T0 + 100 })).toEqual([]);
    });

    it('keeps series apart by node and by metric', async () => {
      await store.writeBatch(WINDOW_POINTS);
      expect(await store.query({ ...whole, node: 'plant/b' })).toEqual([{ ts: T0 + 1_000, value: 1000 }]);
      expect(await store.query({ ...whole, metric: 'energy' })).toEqual([{ ts: T0 + 1_000, value: 1000 }]);
      expect(await store.query({ ...whole, node: 'plant/zzz' })).toEqual([]);
      expect(await store.query(whole)).toHaveLength(8);
    });

    it('ignores a duplicate (node, metric, deviceId, ts), within a batch and across batches, keeping the first', async () => {
      await store.writeBatch([pt('plant/a', 'output', 'd1', T0, 1), pt('plant/a', 'output', 'd1', T0, 1)]);
      await store.writeBatch([pt('plant/a', 'output', 'd1', T0, 99), pt('plant/a', 'output', 'd1', T0 + 1, 2)]);
      expect(await store.query(whole)).toEqual([
        { ts: T0, value: 1 },
        { ts: T0 + 1, value: 2 },
      ]);
    });

    it('keeps points of two devices at the same instant as two points', async () => {
      await store.writeBatch([pt('plant/a', 'output', 'd1', T0, 1), pt('plant/a', 'output', 'd2', T0, 2)]);
      const got = await store.query(whole);
      expect(got.map((p) => p.value).sort()).toEqual([1, 2]);
      expect(got.every((p) => p.ts === T0)).toBe(true);
    });

    it('averages each window over every device of the series by default, stamped with the window start', async () => {
      await store.writeBatch(WINDOW_POINTS);
      const got = await store.query({ ...whole, windowMs: 10_000 });
      expect(got.map((p) => p.ts)).toEqual([T0, T0 + 10_000, T0 + 20_000]);
      expect(got[0]!.value).toBeCloseTo(3, 10);
      expect(got[1]!.value).toBeCloseTo(32 / 3, 10);
      expect(got[2]!.value).toBeCloseTo(5.5, 10);
    });

    it.each([
      ['min', [1, 2, 4]],
      ['max', [5, 20, 7]],
      ['last', [5, 2, 7]],
      ['count', [3, 3, 2]],
    ] as const)('reduces each window with %s', async (aggregate, expected) => {
      await store.writeBatch(WINDOW_POINTS);
      const got = await store.query({ ...whole, windowMs: 10_000, aggregate });
      expect(got).toEqual([
        { ts: T0, value: expected[0] },
        { ts: T0 + 10_000, value: expected[1] },
        { ts: T0 + 20_000, value: expected[2] },
      ]);
    });

    it('aggregates only points inside the range, even in a window that starts before it', async () => {
      await store.writeBatch(WINDOW_POINTS);
      // [T0+4s, T0+19.999s]: window T0 holds only 5; window T0+10s holds 10, 20, 2.
      const got = await store.query({ ...whole, from: T0 + 4_000, to: T0 + 19_999, windowMs: 10_000, aggregate: 'count' });
      expect(got).toEqual([
        { ts: T0, value: 1 },
        { ts: T0 + 10_000, value: 3 },
      ]);
    });

    it('leaves out windows without points', async () => {
      await store.writeBatch([pt('plant/a', 'output', 'd1', T0, 1), pt('plant/a', 'output', 'd1', T0 + 35_000, 3)]);
      expect(await store.query({ ...whole, windowMs: 10_000, aggregate: 'max' })).toEqual([
        { ts: T0, value: 1 },
        { ts: T0 + 30_000, value: 3 },
      ]);
    });

    it('rejects a window that is not a positive integer, saying so', async () => {
      await expect(store.query({ ...whole, windowMs: 0 })).rejects.toThrow(/windowMs/);
      await expect(store.query({ ...whole, windowMs: 10, aggregate: 'median' as never })).rejects.toThrow(/aggregate/);
    });

    it('gives the newest point of every (node, metric, deviceId), wherever it was written in time', async () => {
      await store.writeBatch(WINDOW_POINTS);
      await store.writeBatch([pt('plant/a', 'output', 'd1', T0 + 500, -1)]); // late and old: not the newest
      const got = (await store.latest()).sort(byKey);
      expect(got).toEqual([
        pt('plant/a', 'energy', 'd1', T0 + 1_000, 1000),
        pt('plant/a', 'output', 'd1', T0 + 25_000, 7),
        pt('plant/a', 'output', 'd2', T0 + 20_000, 4),
        pt('plant/b', 'output', 'd1', T0 + 1_000, 1000),
      ]);
    });

    it('gives the newest points of only the nodes asked for', async () => {
      await store.writeBatch(WINDOW_POINTS);
      expect((await store.latest(['plant/b']))).toEqual([pt('plant/b', 'output', 'd1', T0 + 1_000, 1000)]);
      expect((await store.latest(['plant/a', 'nowhere'])).map((p) => p.node)).toEqual(['plant/a', 'plant/a', 'plant/a']);
      expect(await store.latest([])).toEqual([]);
    });

    it('deletes points older than the cut-off, counts them, and keeps the rest', async () => {
      await store.writeBatch(WINDOW_POINTS);
      // Older than T0+13s: d1 at +1s, +4s, +12s; d2 at +2s; energy d1 +1s; plant/b d1 +1s -> 6.
      expect(await store.deleteBefore(T0 + 13_000)).toBe(6);
      expect((await store.query(whole)).map((p) => p.ts)).toEqual([T0 + 13_000, T0 + 19_999, T0 + 20_000, T0 + 25_000]);
      expect(await store.deleteBefore(T0 + 13_000)).toBe(0);
      // A device with nothing left has no latest point.
      expect((await store.latest()).map((p) => `${p.node} ${p.metric} ${p.deviceId}`).sort()).toEqual([
        'plant/a output d1',
        'plant/a output d2',
      ]);
    });

    it('applies a retention policy: raw points older than now - rawMs go, and how many is reported', async () => {
      await store.writeBatch(WINDOW_POINTS);
      // now = T0 + 23 s, rawMs = 10 s: cut-off T0 + 13 s deletes the same 6 points as deleteBefore above.
      const r = await store.applyRetention({ rawMs: 10_000, minuteMs: 10_000 }, T0 + 23_000);
      expect(r.raw).toBe(6);
      expect((await store.query(whole)).map((p) => p.ts)).toEqual([T0 + 13_000, T0 + 19_999, T0 + 20_000, T0 + 25_000]);
      expect((await store.applyRetention({ rawMs: 10_000, minuteMs: 10_000 }, T0 + 23_000)).raw).toBe(0);
    });

    it('rejects a retention policy that would drop coarse data before fine data, deleting nothing', async () => {
      await store.writeBatch(WINDOW_POINTS);
      await expect(store.applyRetention({ rawMs: 20_000, minuteMs: 10_000 }, T0 + 60_000)).rejects.toThrow(/minuteMs/);
      await expect(store.applyRetention({ rawMs: 0, minuteMs: 10_000 }, T0 + 60_000)).rejects.toThrow(/rawMs/);
      expect(await store.query(whole)).toHaveLength(8);
    });

    it('skips malformed points and stores the rest of their batch', async () => {
      await store.writeBatch([
        pt('plant/a', 'output', 'd1', T0, 1),
        pt('plant/a', 'output', 'd1', T0 + 1, Number.NaN),
        pt('plant/a', 'output', 'd1', T0 + 2.5, 3),
        pt('plant/a', 'output', '', T0 + 3, 4),
        null as unknown as StoredPoint,
        pt('plant/a', 'output', 'd1', T0 + 4, 5),
      ]);
      expect(await store.query(whole)).toEqual([
        { ts: T0, value: 1 },
        { ts: T0 + 4, value: 5 },
      ]);
    });

    it('stores a large batch across many series completely', async () => {
      const batch: StoredPoint[] = [];
      for (let i = 0; i < 5_000; i++) batch.push(pt(`n${i % 50}`, 'output', `d${i % 7}`, T0 + i, i));
      await store.writeBatch(batch);
      expect(await store.query({ node: 'n7', metric: 'output', from: T0, to: T0 + 5_000 })).toHaveLength(100);
      expect(await store.latest()).toHaveLength(350); // i mod 50 and i mod 7 meet in all 50 * 7 pairs
      expect(await store.query({ node: 'n7', metric: 'output', from: T0, to: T0 + 5_000, windowMs: 1_000_000, aggregate: 'count' })).toEqual([
        { ts: Math.floor(T0 / 1_000_000) * 1_000_000, value: 100 },
      ]);
    });

    it('reports itself healthy while open and not after close', async () => {
      const h = store.health();
      expect(h.ok).toBe(true);
      expect(h.backend).not.toBe('');
      await store.close();
      expect(store.health().ok).toBe(false);
    });

    it('closes idempotently and refuses work once closed', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
      await expect(store.writeBatch([pt('plant/a', 'output', 'd1', T0, 1)])).rejects.toThrow(/closed/);
      await expect(store.query(whole)).rejects.toThrow(/closed/);
    });

    it('keeps everything it acknowledged across a reopen, still ignoring duplicates (persistent stores)', async () => {
      if (sut.reopen === undefined) return; // not persistent: nothing to check
      await store.writeBatch(WINDOW_POINTS);
      await store.close();
      store = await sut.reopen();
      expect(await store.query({ ...whole, windowMs: 10_000, aggregate: 'count' })).toEqual([
        { ts: T0, value: 3 },
        { ts: T0 + 10_000, value: 3 },
        { ts: T0 + 20_000, value: 2 },
      ]);
      expect(await store.latest(['plant/b'])).toEqual([pt('plant/b', 'output', 'd1', T0 + 1_000, 1000)]);
      await store.writeBatch([pt('plant/a', 'output', 'd1', T0 + 1_000, 42), pt('plant/a', 'output', 'd3', T0 + 1_000, 6)]);
      const raw = await store.query(whole);
      expect(raw).toHaveLength(9);
      expect(raw.filter((p) => p.value === 42)).toEqual([]);
    });
  });
}
