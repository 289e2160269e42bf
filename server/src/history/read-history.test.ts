import { describe, expect, it } from '@jest/globals';
import type { IndicatorDef } from '@opsroom/models';
import { MemoryStore } from '../store/memory-store.js';
import type { StoredPoint } from '../store/store.js';
import { tinyModel } from '../../test/support/tiny-model.js';
import { readHistory, type HistoryRequest } from './read-history.js';

const MIN = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (60 * MIN)); // an hour boundary
const OPTS = { rollupPeriodMs: MIN };
const req = (r: Partial<HistoryRequest>): HistoryRequest => ({
  node: 'r/a/a1',
  indicator: 'output',
  from: T0,
  to: T0 + 60 * MIN - 1,
  aggregate: 'mean',
  maxPoints: 2_000,
  ...r,
});
const pt = (node: string, ts: number, value: number): StoredPoint => ({
  node,
  metric: 'output',
  deviceId: `${node.split('/').pop()}-dev`,
  ts,
  value,
});

describe('readHistory of a leaf', () => {
  it('answers raw points when the range holds no more than maxPoints', async () => {
    const store = new MemoryStore();
    await store.writeBatch([pt('r/a/a1', T0 + 1_000, 1), pt('r/a/a1', T0 + 2_000, 2)]);
    const h = await readHistory(store, tinyModel(), req({}), OPTS);
    expect(h.points).toEqual([
      { ts: T0 + 1_000, value: 1 },
      { ts: T0 + 2_000, value: 2 },
    ]);
    expect(h).toMatchObject({
      truncated: false,
      resolution: { stepMs: null, aggregate: null, source: 'raw', basis: 'stored' },
    });
  });

  it('answers windows of the finest step that fits when raw points do not, never cutting', async () => {
    const store = new MemoryStore();
    await store.writeBatch(Array.from({ length: 3_600 }, (_, i) => pt('r/a/a1', T0 + i * 1_000, i)));
    const h = await readHistory(store, tinyModel(), req({ maxPoints: 100 }), OPTS);
    expect(h.resolution).toMatchObject({ stepMs: 60_000, aggregate: 'mean', source: 'store', basis: 'stored' });
    expect(h.resolution.reason).toMatch(/more than maxPoints \(100\) raw points/);
    expect(h.truncated).toBe(false);
    expect(h.points).toHaveLength(60);
    expect(h.points[0]).toEqual({ ts: T0, value: 29.5 });
  });

  it('cuts an explicit windowMs that gives more than maxPoints windows to the newest ones, and says so', async () => {
    const store = new MemoryStore();
    await store.writeBatch(Array.from({ length: 60 }, (_, i) => pt('r/a/a1', T0 + i * MIN, i)));
    const h = await readHistory(store, tinyModel(), req({ windowMs: MIN, maxPoints: 10 }), OPTS);
    expect(h.truncated).toBe(true);
    expect(h.truncatedReason).toMatch(/the oldest 50 were left out/);
    expect(h.from).toBe(T0 + 50 * MIN);
    expect(h.points.map((p) => p.value)).toEqual([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
  });
});

describe('readHistory of a parent', () => {
  it("rolls its leaves' stored windows up by the indicator's rule, window by window", async () => {
    const store = new MemoryStore();
    await store.writeBatch([
      pt('r/a/a1', T0 + 5_000, 2),
      pt('r/a/a1', T0 + 35_000, 4),
      pt('r/a/a2', T0 + 10_000, 10),
      pt('r/a/a2', T0 + MIN + 1, 7),
      pt('r/b/b1', T0 + 2 * MIN, 100),
    ]);
    const h = await readHistory(store, tinyModel(), req({ node: 'r/a', windowMs: MIN }), OPTS);
    // sum of the children's means per minute: 3 + 10, then a2 alone
    expect(h.points).toEqual([
      { ts: T0, value: 13 },
      { ts: T0 + MIN, value: 7 },
    ]);
    expect(h.resolution).toMatchObject({ stepMs: MIN, basis: 'children', rule: 'sum', leaves: 2 });
    const root = await readHistory(store, tinyModel(), req({ node: 'r', windowMs: MIN }), OPTS);
    expect(root.points).toEqual([
      { ts: T0, value: 13 },
      { ts: T0 + MIN, value: 7 },
      { ts: T0 + 2 * MIN, value: 100 },
    ]);
    expect(root.resolution.leaves).toBe(3);
  });

  it('shows readings back-filled after the fact at every level above them', async () => {
    const store = new MemoryStore();
    await store.writeBatch([pt('r/a/a1', T0 + 5_000, 1), pt('r/a/a2', T0 + 5_000, 2), pt('r/b/b1', T0 + 5_000, 3)]);
    const before = await readHistory(store, tinyModel(), req({ node: 'r', windowMs: MIN }), OPTS);
    expect(before.points).toEqual([{ ts: T0, value: 6 }]);
    // An outage: a1's readings of minutes 10..12 arrive later, with their own (old) timestamps.
    await store.writeBatch([10, 11, 12].map((m) => pt('r/a/a1', T0 + m * MIN + 30_000, m)));
    for (const node of ['r/a', 'r']) {
      const h = await readHistory(store, tinyModel(), req({ node, windowMs: MIN }), OPTS);
      expect(h.points).toEqual([
        { ts: T0, value: node === 'r' ? 6 : 3 },
        { ts: T0 + 10 * MIN, value: 10 },
        { ts: T0 + 11 * MIN, value: 11 },
        { ts: T0 + 12 * MIN, value: 12 },
      ]);
    }
  });

  it("weighs children by the node weight for weighted_mean, and adds the children's counts for count", async () => {
    const ind: IndicatorDef = { id: 'output', name: 'Output', unit: 'u', rollup: 'weighted_mean', weight: 'members' };
    const store = new MemoryStore();
    await store.writeBatch([pt('r/a/a1', T0, 10), pt('r/a/a2', T0, 20), pt('r/a/a2', T0 + 1, 20)]);
    const h = await readHistory(store, tinyModel([ind]), req({ node: 'r/a', windowMs: MIN }), OPTS);
    expect(h.points).toEqual([{ ts: T0, value: (10 * 1 + 20 * 3) / 4 }]);
    const c = await readHistory(store, tinyModel([ind]), req({ node: 'r/a', windowMs: MIN, aggregate: 'count' }), OPTS);
    expect(c.points).toEqual([{ ts: T0, value: 3 }]);
  });

  it("ignores the parent's own stored series (its live roll-ups, device $rollup)", async () => {
    const store = new MemoryStore();
    await store.writeBatch([
      pt('r/a/a1', T0, 1),
      { node: 'r/a', metric: 'output', deviceId: '$rollup', ts: T0 + 1, value: 999 },
    ]);
    const h = await readHistory(store, tinyModel(), req({ node: 'r/a', windowMs: MIN }), OPTS);
    expect(h.points).toEqual([{ ts: T0, value: 1 }]);
  });

  it('widens a window narrower than the roll-up period, and says so; without windowMs it is never raw', async () => {
    const store = new MemoryStore();
    await store.writeBatch([pt('r/a/a1', T0 + 1_000, 1), pt('r/a/a2', T0 + 40_000, 2)]);
    const h = await readHistory(store, tinyModel(), req({ node: 'r/a', windowMs: 10_000 }), OPTS);
    expect(h.resolution.stepMs).toBe(MIN);
    expect(h.resolution.reason).toMatch(/widened to 60000/);
    expect(h.points).toEqual([{ ts: T0, value: 3 }]);
    const auto = await readHistory(store, tinyModel(), req({ node: 'r/a' }), OPTS);
    expect(auto.resolution).toMatchObject({ stepMs: MIN, basis: 'children' });
  });
});
