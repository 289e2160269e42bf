import { describe, expect, it } from '@jest/globals';
import { aggregateWindows } from './aggregate.js';
import { HOUR_TIER, MINUTE_TIER, TierBatch, WindowBuilder, addPoint, emptyAcc, tierFor, tierSpan } from './tiers.js';
import type { BucketAcc, Tier } from './tiers.js';

describe('tierFor', () => {
  it('picks the coarsest tier whose bucket divides the window, or none', () => {
    expect(tierFor(3_600_000)).toBe(HOUR_TIER);
    expect(tierFor(86_400_000)).toBe(HOUR_TIER);
    expect(tierFor(60_000)).toBe(MINUTE_TIER);
    expect(tierFor(300_000)).toBe(MINUTE_TIER);
    expect(tierFor(5_400_000)).toBe(MINUTE_TIER); // 90 min: not whole hours
    expect(tierFor(10_000)).toBeUndefined();
    expect(tierFor(90_000)).toBeUndefined();
  });
});

describe('tierSpan', () => {
  it('splits a range into whole buckets and raw ends', () => {
    expect(tierSpan(30_000, 200_000, 60_000)).toEqual({
      fromI: 30_000,
      toI: 200_000,
      fullFrom: 60_000,
      fullEnd: 180_000,
    });
  });

  it('counts a bucket as whole when the range ends on its last millisecond', () => {
    expect(tierSpan(0, 119_999, 60_000)).toEqual({ fromI: 0, toI: 119_999, fullFrom: 0, fullEnd: 120_000 });
    expect(tierSpan(0, 119_998, 60_000)).toEqual({ fromI: 0, toI: 119_998, fullFrom: 0, fullEnd: 60_000 });
  });

  it('rounds fractional and infinite bounds to the integer timestamps they admit', () => {
    expect(tierSpan(-Infinity, 120_000.5, 60_000)).toEqual({ fromI: 0, toI: 120_000, fullFrom: 0, fullEnd: 120_000 });
    expect(tierSpan(0.5, 200_000, 60_000)!.fromI).toBe(1);
  });

  it('is null when no whole bucket fits or the range is empty', () => {
    expect(tierSpan(1, 119_998, 60_000)).toBeNull();
    expect(tierSpan(500, 400, 60_000)).toBeNull();
  });
});

describe('addPoint', () => {
  it('keeps the value of the greatest ts as last, the lowest device winning at equal ts, whatever the order', () => {
    const a = emptyAcc();
    addPoint(a, 5, 2, 1);
    addPoint(a, 5, 1, 9);
    addPoint(a, 4, 0, 7);
    const b = emptyAcc();
    addPoint(b, 4, 0, 7);
    addPoint(b, 5, 1, 9);
    addPoint(b, 5, 2, 1);
    expect(a).toEqual(b);
    expect(a).toEqual({ n: 3, sum: 17, min: 1, max: 9, lastTs: 5, lastDev: 1, last: 9 });
  });
});

describe('WindowBuilder', () => {
  it('merges raw points and tier buckets into windows, as in its worked example', () => {
    const w = new WindowBuilder(120_000, 'mean');
    w.point(30_000, 1, 4);
    w.bucket(60_000, 2, 10, 3, 7, 70_000, 1, 7);
    w.point(130_000, 1, 7);
    const got = w.finish();
    expect(got).toHaveLength(2);
    expect(got[0]!.ts).toBe(0);
    expect(got[0]!.value).toBeCloseTo(14 / 3, 12);
    expect(got[1]).toEqual({ ts: 120_000, value: 7 });
  });

  it('passes windows reduced elsewhere through in order', () => {
    const w = new WindowBuilder(60_000, 'max');
    w.point(1_000, 1, 3);
    w.window(60_000, 8);
    w.window(180_000, 2);
    w.bucket(240_000, 1, 5, 5, 5, 240_000, 1, 5);
    expect(w.finish()).toEqual([
      { ts: 0, value: 3 },
      { ts: 60_000, value: 8 },
      { ts: 180_000, value: 2 },
      { ts: 240_000, value: 5 },
    ]);
  });

  it('agrees with aggregateWindows on raw points for every aggregate', () => {
    const pts = [
      { ts: 0, value: 1 },
      { ts: 500, value: 3 },
      { ts: 1000, value: 5 },
      { ts: 1999, value: 7 },
    ];
    for (const agg of ['mean', 'min', 'max', 'last', 'count'] as const) {
      const w = new WindowBuilder(1000, agg);
      for (const p of pts) w.point(p.ts, 1, p.value);
      expect(w.finish()).toEqual(aggregateWindows(pts, 1000, agg));
    }
  });
});

describe('TierBatch', () => {
  it('accumulates each touched (tier, series, bucket) once', () => {
    const batch = new TierBatch();
    batch.add(1, 1, 59_999, 2);
    batch.add(1, 1, 60_000, 4);
    batch.add(1, 2, 60_001, 6);
    batch.add(2, 1, 0, 1);
    const seen: [string, number, number, BucketAcc][] = [];
    batch.forEach((t: Tier, s, b, acc) => seen.push([t.name, s, b, { ...acc }]));
    expect(seen.map(([t, s, b, a]) => `${t} ${s} ${b} n=${a.n} sum=${a.sum}`).sort()).toEqual([
      'hour 1 0 n=3 sum=12',
      'hour 2 0 n=1 sum=1',
      'minute 1 0 n=1 sum=2',
      'minute 1 60000 n=2 sum=10',
      'minute 2 0 n=1 sum=1',
    ]);
  });
});
