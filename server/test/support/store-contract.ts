// The contract every TimeSeriesStore implementation runs (memory-store.test.ts, sqlite-store.test.ts,
// test/store/sqlite-worker-store.test.ts). Expectations are computed by hand in the comments next to them.
// The whole suite runs twice, writing through writeBatch and through writeReadings; the tests at
// the end mix the two methods.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ReadingBatch } from '@opsroom/models';
import type { StoredPoint, TimeSeriesStore } from '../../src/store/store.js';

export interface StoreUnderTest {
  store: TimeSeriesStore;
  /** Opens the same data again; the suite has closed `store` (or the previous reopen) first. Omit for non-persistent stores. */
  reopen?: () => Promise<TimeSeriesStore>;
  /** Removes whatever the store left behind (temp directories). Runs after the store was closed. */
  cleanup: () => Promise<void>;
  /**
   * What the store documents it cannot promise (VictoriaMetrics); the tests of those promises check
   * what it does instead:
   * - `duplicates: 'one-kept'`: one point per (node, metric, deviceId, ts) is kept, not always the first;
   * - `deletes: false`: deleteBefore rejects saying why and applyRetention deletes nothing (the
   *   server's own retention does it); every point stays.
   */
  limits?: StoreLimits;
}

export interface StoreLimits {
  duplicates?: 'one-kept';
  deletes?: false;
}

/** The values of points in time order, a duplicate's value being either of `choices[ts]` when the store keeps any one. */
function valuesAllowing(
  got: readonly { ts: number; value: number }[],
  want: readonly number[],
  choices: Record<number, number[]>,
  limits: StoreLimits | undefined,
): number[] {
  if (limits?.duplicates !== 'one-kept') return got.map((p) => p.value);
  return got.map((p, i) => (choices[p.ts]?.includes(p.value) ? want[i]! : p.value));
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

/**
 * Points as columnar batches: consecutive points of one (node, deviceId) share a batch, metric
 * names interned per batch; a null point becomes a null batch (malformed, to be skipped).
 */
export function toReadingBatches(points: readonly StoredPoint[]): ReadingBatch[] {
  const out: ReadingBatch[] = [];
  let i = 0;
  while (i < points.length) {
    const p = points[i]!;
    if (p === null) {
      out.push(null as unknown as ReadingBatch);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < points.length && points[j] !== null && points[j]!.node === p.node && points[j]!.deviceId === p.deviceId)
      j++;
    const n = j - i;
    const b: ReadingBatch = {
      node: p.node,
      deviceId: p.deviceId,
      length: n,
      metricNames: [],
      metric: new Uint16Array(n),
      ts: new Float64Array(n),
      values: new Float64Array(n),
    };
    for (let k = 0; k < n; k++) {
      const q = points[i + k]!;
      let m = b.metricNames.indexOf(q.metric);
      if (m < 0) m = b.metricNames.push(q.metric) - 1;
      b.metric[k] = m;
      b.ts[k] = q.ts;
      b.values[k] = q.value;
    }
    out.push(b);
    i = j;
  }
  return out;
}

/** A batch of one device and one metric. */
function batchOf(node: string, metric: string, deviceId: string, ts: number[], values: number[]): ReadingBatch {
  return {
    node,
    deviceId,
    length: ts.length,
    metricNames: [metric],
    metric: new Uint16Array(ts.length),
    ts: Float64Array.from(ts),
    values: Float64Array.from(values),
  };
}

const range = (from: number, n: number, step = 1): number[] => Array.from({ length: n }, (_, i) => from + i * step);

export function runStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  for (const via of ['writeBatch', 'writeReadings'] as const) runWriteContract(name, via, makeStore);
  runColumnarContract(name, makeStore);
}

function runWriteContract(
  name: string,
  via: 'writeBatch' | 'writeReadings',
  makeStore: () => Promise<StoreUnderTest>,
): void {
  describe(`${name} honours the TimeSeriesStore contract, written through ${via}`, () => {
    let sut: StoreUnderTest;
    let raw: TimeSeriesStore;
    // The store under test with writeBatch routed through the method this run exercises.
    let store: TimeSeriesStore;
    const wrap = (s: TimeSeriesStore): TimeSeriesStore => {
      raw = s;
      if (via === 'writeBatch') return s;
      return new Proxy(s, {
        get(target, prop) {
          if (prop === 'writeBatch')
            return (points: readonly StoredPoint[]) => target.writeReadings(toReadingBatches(points));
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    };

    beforeEach(async () => {
      sut = await makeStore();
      store = wrap(sut.store);
    });

    afterEach(async () => {
      await raw.close();
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

    it('answers a raw query with a limit with at least its oldest points up to the limit (a store may read on)', async () => {
      await store.writeBatch(
        [5, 1, 4, 2, 3].map((i) => pt('plant/a', 'output', i % 2 === 0 ? 'd2' : 'd1', T0 + i * 100, i)),
      );
      const got = await store.query({ ...whole, limit: 3 });
      expect(got.length).toBeGreaterThanOrEqual(3);
      expect(got.slice(0, 3).map((p) => p.value)).toEqual([1, 2, 3]);
      expect((await store.query({ ...whole, limit: 10 })).map((p) => p.value)).toEqual([1, 2, 3, 4, 5]);
      await expect(store.query({ ...whole, limit: 0 })).rejects.toThrow(/limit/);
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
      const got = await store.query(whole);
      expect(got.map((p) => p.ts)).toEqual([T0, T0 + 1]);
      expect(valuesAllowing(got, [1, 2], { [T0]: [1, 99] }, sut.limits)).toEqual([1, 2]);
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
      const got = await store.query({
        ...whole,
        from: T0 + 4_000,
        to: T0 + 19_999,
        windowMs: 10_000,
        aggregate: 'count',
      });
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
      expect(await store.latest(['plant/b'])).toEqual([pt('plant/b', 'output', 'd1', T0 + 1_000, 1000)]);
      expect((await store.latest(['plant/a', 'nowhere'])).map((p) => p.node)).toEqual([
        'plant/a',
        'plant/a',
        'plant/a',
      ]);
      expect(await store.latest([])).toEqual([]);
    });

    it('deletes points older than the cut-off, counts them, and keeps the rest', async () => {
      await store.writeBatch(WINDOW_POINTS);
      if (sut.limits?.deletes === false) {
        await expect(store.deleteBefore(T0 + 13_000)).rejects.toThrow(/cannot delete/);
        expect(await store.query(whole)).toHaveLength(8);
        return;
      }
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
      if (sut.limits?.deletes === false) {
        expect(r.raw).toBe(0);
        expect(await store.query(whole)).toHaveLength(8);
        return;
      }
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
      expect(
        await store.query({
          node: 'n7',
          metric: 'output',
          from: T0,
          to: T0 + 5_000,
          windowMs: 1_000_000,
          aggregate: 'count',
        }),
      ).toEqual([{ ts: Math.floor(T0 / 1_000_000) * 1_000_000, value: 100 }]);
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
      store = wrap(await sut.reopen());
      expect(await store.query({ ...whole, windowMs: 10_000, aggregate: 'count' })).toEqual([
        { ts: T0, value: 3 },
        { ts: T0 + 10_000, value: 3 },
        { ts: T0 + 20_000, value: 2 },
      ]);
      expect(await store.latest(['plant/b'])).toEqual([pt('plant/b', 'output', 'd1', T0 + 1_000, 1000)]);
      await store.writeBatch([
        pt('plant/a', 'output', 'd1', T0 + 1_000, 42),
        pt('plant/a', 'output', 'd3', T0 + 1_000, 6),
      ]);
      const raw = await store.query(whole);
      expect(raw).toHaveLength(9);
      if (sut.limits?.duplicates !== 'one-kept') expect(raw.filter((p) => p.value === 42)).toEqual([]);
    });
  });
}

/** Columnar writes, and writeBatch and writeReadings meeting on the same data. */
function runColumnarContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`${name} stores columnar batches (writeReadings) under the same promises as writeBatch`, () => {
    let sut: StoreUnderTest;
    let store: TimeSeriesStore;
    const values = async (want: readonly number[], choices: Record<number, number[]>): Promise<number[]> =>
      valuesAllowing(await store.query(whole), want, choices, sut.limits);

    beforeEach(async () => {
      sut = await makeStore();
      store = sut.store;
    });

    afterEach(async () => {
      await store.close();
      await sut.cleanup();
    });

    const whole = { node: 'plant/a', metric: 'output', from: T0, to: T0 + 3_600_000 };
    const tsOf = async (): Promise<number[]> => (await store.query(whole)).map((p) => p.ts - T0);

    it('reads back batches of several metrics, each reading under its own metric', async () => {
      await store.writeReadings([
        {
          node: 'plant/a',
          deviceId: 'd1',
          length: 4,
          metricNames: ['output', 'energy'],
          metric: Uint16Array.from([0, 1, 0, 1]),
          ts: Float64Array.from([T0, T0, T0 + 1, T0 + 1]),
          values: Float64Array.from([1, 10, 2, 20]),
        },
      ]);
      expect(await store.query(whole)).toEqual([
        { ts: T0, value: 1 },
        { ts: T0 + 1, value: 2 },
      ]);
      expect(await store.query({ ...whole, metric: 'energy' })).toEqual([
        { ts: T0, value: 10 },
        { ts: T0 + 1, value: 20 },
      ]);
    });

    it('keeps the first of a duplicate inside one batch and inside one call', async () => {
      await store.writeReadings([
        batchOf('plant/a', 'output', 'd1', [T0, T0 + 1, T0, T0 + 2, T0 + 3, T0 + 4], [1, 2, 99, 3, 4, 5]),
        batchOf('plant/a', 'output', 'd1', [T0 + 2, T0 + 5], [98, 6]),
      ]);
      expect(await tsOf()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(await values([1, 2, 3, 4, 5, 6], { [T0]: [1, 99], [T0 + 2]: [3, 98] })).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('ignores points written by one method when the other writes them again, both ways round', async () => {
      // writeBatch first: T0 + 0..9 (values 0..9), then writeReadings T0 + 5..14 with other values.
      await store.writeBatch(range(0, 10).map((i) => pt('plant/a', 'output', 'd1', T0 + i, i)));
      await store.writeReadings([batchOf('plant/a', 'output', 'd1', range(T0 + 5, 10), range(105, 10))]);
      // writeReadings first: T0 + 20..29, then writeBatch T0 + 25..34.
      await store.writeReadings([batchOf('plant/a', 'output', 'd1', range(T0 + 20, 10), range(20, 10))]);
      await store.writeBatch(range(25, 10).map((i) => pt('plant/a', 'output', 'd1', T0 + i, 100 + i)));
      // 0..9 first, 10..14 from the readings (110..114); 20..29 first, 30..34 from the batch (130..134).
      const want = [...range(0, 10), ...range(110, 5), ...range(20, 10), ...range(130, 5)];
      const choices = Object.fromEntries([
        ...range(5, 5).map((i) => [T0 + i, [i, 100 + i]]),
        ...range(25, 5).map((i) => [T0 + i, [i, 100 + i]]),
      ]);
      expect(await values(want, choices)).toEqual(want);
      expect(await store.query({ ...whole, windowMs: 60_000, aggregate: 'count' })).toEqual([
        { ts: Math.floor(T0 / 60_000) * 60_000, value: 30 },
      ]);
    });

    it('stores readings that arrive out of order, and late ones older than what is stored, each once', async () => {
      // 10 points on even ms 100..118, in reverse order.
      await store.writeReadings([batchOf('plant/a', 'output', 'd1', range(T0 + 118, 10, -2), range(118, 10, -2))]);
      // Late: odd ms 101..109 (new, between stored ones), 50..52 (older than everything), 104 and 118 again (duplicates), 200 (new).
      await store.writeReadings([
        batchOf(
          'plant/a',
          'output',
          'd1',
          [T0 + 109, T0 + 50, T0 + 104, T0 + 101, T0 + 200, T0 + 51, T0 + 103, T0 + 118, T0 + 52, T0 + 105, T0 + 107],
          [109, 50, -1, 101, 200, 51, 103, -1, 52, 105, 107],
        ),
      ]);
      // And again, all of it: nothing changes.
      await store.writeBatch([
        pt('plant/a', 'output', 'd1', T0 + 107, -1),
        pt('plant/a', 'output', 'd1', T0 + 50, -1),
        pt('plant/a', 'output', 'd1', T0 + 118, -1),
      ]);
      const want = [50, 51, 52, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 112, 114, 116, 118, 200];
      expect(await tsOf()).toEqual(want);
      expect(
        await values(want, {
          [T0 + 104]: [104, -1],
          [T0 + 118]: [118, -1],
          [T0 + 107]: [107, -1],
          [T0 + 50]: [50, -1],
        }),
      ).toEqual(want);
      expect(await store.query({ ...whole, windowMs: 60_000, aggregate: 'count' })).toEqual([
        { ts: Math.floor(T0 / 60_000) * 60_000, value: want.length },
      ]);
      expect(await store.query({ ...whole, windowMs: 60_000, aggregate: 'max' })).toEqual([
        { ts: Math.floor(T0 / 60_000) * 60_000, value: 200 },
      ]);
      expect(await store.latest()).toEqual([pt('plant/a', 'output', 'd1', T0 + 200, 200)]);
    });

    it('skips malformed readings and batches, counting on with the rest', async () => {
      const good = batchOf(
        'plant/a',
        'output',
        'd1',
        [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4, T0 + 5],
        [0, Number.NaN, 2, 3, Number.POSITIVE_INFINITY, 5],
      );
      good.ts[2] = T0 + 2.5; // not an integer
      good.ts[3] = -1; // before the epoch
      const badMetric = {
        ...batchOf('plant/a', 'output', 'd1', [T0 + 6, T0 + 7], [6, 7]),
        metric: Uint16Array.from([0, 3]),
      };
      const emptyName = { ...batchOf('plant/a', 'output', 'd1', [T0 + 8], [8]), metricNames: [''] };
      const shortArrays = { ...batchOf('plant/a', 'output', 'd1', [T0 + 9], [9]), length: 1_000_000 };
      await store.writeReadings([
        good,
        null as unknown as ReadingBatch,
        badMetric,
        batchOf('plant/a', 'output', '', [T0 + 10], [10]),
        batchOf('', 'output', 'd1', [T0 + 11], [11]),
        emptyName,
        shortArrays,
        batchOf('plant/a', 'output', 'd1', [T0 + 12], [12]),
      ]);
      expect(await store.query(whole)).toEqual([
        { ts: T0, value: 0 },
        { ts: T0 + 5, value: 5 },
        { ts: T0 + 6, value: 6 },
        { ts: T0 + 12, value: 12 },
      ]);
    });

    it('deletes the older part of a run written in one call, counting exactly, and keeps the rest', async () => {
      await store.writeReadings([batchOf('plant/a', 'output', 'd1', range(T0, 10, 10), range(0, 10))]); // T0 + 0, 10, ..., 90
      await store.writeBatch([pt('plant/a', 'output', 'd1', T0 + 35, 3.5)]); // a late point inside the run
      if (sut.limits?.deletes === false) {
        await expect(store.deleteBefore(T0 + 40)).rejects.toThrow(/cannot delete/);
        expect(await store.applyRetention({ rawMs: 10_000, minuteMs: 10_000 }, T0 + 10_065)).toEqual(
          expect.objectContaining({ raw: 0 }),
        );
        expect(await tsOf()).toEqual([0, 10, 20, 30, 35, 40, 50, 60, 70, 80, 90]);
        return;
      }
      // Older than T0 + 40: 0, 10, 20, 30 and 35 -> 5.
      expect(await store.deleteBefore(T0 + 40)).toBe(5);
      expect(await tsOf()).toEqual([40, 50, 60, 70, 80, 90]);
      expect(await store.deleteBefore(T0 + 40)).toBe(0);
      expect(await store.applyRetention({ rawMs: 10_000, minuteMs: 10_000 }, T0 + 10_065)).toEqual(
        expect.objectContaining({ raw: 3 }),
      ); // 40, 50, 60
      expect(await tsOf()).toEqual([70, 80, 90]);
      expect(await store.latest()).toEqual([pt('plant/a', 'output', 'd1', T0 + 90, 9)]);
      // Writing after the cut keeps going as usual.
      await store.writeReadings([batchOf('plant/a', 'output', 'd1', [T0 + 90, T0 + 100], [-1, 10])]);
      expect(await tsOf()).toEqual([70, 80, 90, 100]);
    });

    it('treats an empty call as nothing and refuses columnar writes once closed', async () => {
      await store.writeReadings([]);
      await store.writeReadings([batchOf('plant/a', 'output', 'd1', [], [])]);
      expect(await store.query(whole)).toEqual([]);
      await store.close();
      await expect(store.writeReadings([batchOf('plant/a', 'output', 'd1', [T0], [1])])).rejects.toThrow(/closed/);
    });

    it('keeps columnar writes across a reopen and still ignores their duplicates (persistent stores)', async () => {
      if (sut.reopen === undefined) return;
      await store.writeReadings([batchOf('plant/a', 'output', 'd1', range(T0, 20), range(0, 20))]);
      await store.close();
      store = await sut.reopen();
      await store.writeReadings([batchOf('plant/a', 'output', 'd1', range(T0 + 10, 20), range(110, 20))]);
      const want = [...range(0, 20), ...range(120, 10)];
      expect(await tsOf()).toEqual(range(0, 30));
      expect(await values(want, Object.fromEntries(range(10, 10).map((i) => [T0 + i, [i, 100 + i]])))).toEqual(want);
    });
  });
}
