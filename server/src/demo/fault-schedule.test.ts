import { describe, expect, it } from '@jest/globals';
import { DEMO_WORKSHOP_METRICS, seasonal } from '@opsroom/edge-agent';
import { faultRecord, faultSize, pickFault, seriesLevel } from './fault-schedule.js';

const FLAT = { base: 100, noise: 4, daily: 0, weekly: 0, min: 0 };
const NOON = Date.UTC(2026, 0, 15, 12); // a Thursday: the daily and weekly cycles near their peaks

/** The demo's LCG, as run-demo.ts draws it. */
function lcg(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

describe('pickFault', () => {
  it("keeps the demo's mix: steps ×0.5 / ×1.6 for 90 s, spikes ×3, drifts +400/h for 90 s, flatlines and dropouts of 90 s", () => {
    const random = lcg(7);
    const seen = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const { fault } = pickFault(random, ['output', 'energy']);
      const label = JSON.stringify(fault);
      seen.set(label, (seen.get(label) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(
      [
        { kind: 'step', factor: 0.5, durationMs: 90_000 },
        { kind: 'step', factor: 1.6, durationMs: 90_000 },
        { kind: 'spike', factor: 3 },
        { kind: 'drift', slopePerHour: 400, durationMs: 90_000 },
        { kind: 'flatline', durationMs: 90_000 },
        { kind: 'dropout', durationMs: 90_000 },
      ]
        .map((f) => JSON.stringify(f))
        .sort(),
    );
  });
});

describe('seriesLevel', () => {
  it("is the base plus the daily and weekly cycles at that time, within the series' bounds", () => {
    const def = DEMO_WORKSHOP_METRICS.output!;
    expect(seriesLevel(def, NOON)).toBeCloseTo(def.base + seasonal(NOON, def.daily, def.weekly), 9);
    expect(seriesLevel({ base: 1, noise: 0, daily: 5, weekly: 0, min: 0 }, 0)).toBe(0);
  });
});

describe('faultSize', () => {
  it('measures a step as |factor − 1| × level, in units and in noise σ', () => {
    expect(faultSize({ kind: 'step', factor: 1.6, durationMs: 90_000 }, FLAT, 0)).toEqual({ size: 60, sizeSigma: 15 });
    expect(faultSize({ kind: 'step', factor: 0.5, durationMs: 90_000 }, FLAT, 0)).toEqual({
      size: 50,
      sizeSigma: 12.5,
    });
  });

  it('measures a spike ×3 as twice the level at its time', () => {
    const def = DEMO_WORKSHOP_METRICS.temperature!;
    const { size, sizeSigma } = faultSize({ kind: 'spike', factor: 3 }, def, NOON);
    expect(size).toBeCloseTo(2 * seriesLevel(def, NOON), 3);
    expect(sizeSigma).toBeCloseTo(size / def.noise, 2);
  });

  it('measures a drift as its total rise: +400/h over 90 s is 10 units', () => {
    expect(faultSize({ kind: 'drift', slopePerHour: 400, durationMs: 90_000 }, FLAT, 0)).toEqual({
      size: 10,
      sizeSigma: 2.5,
    });
  });

  it('gives flatlines and dropouts size 0 and no σ, and a noiseless series no σ', () => {
    expect(faultSize({ kind: 'flatline', durationMs: 90_000 }, FLAT, 0)).toEqual({ size: 0, sizeSigma: null });
    expect(faultSize({ kind: 'dropout', durationMs: 90_000 }, FLAT, 0)).toEqual({ size: 0, sizeSigma: null });
    expect(faultSize({ kind: 'step', factor: 2 }, { ...FLAT, noise: 0 }, 0)).toEqual({ size: 100, sizeSigma: null });
  });
});

describe('faultRecord', () => {
  it("is the fault log's line: time, device, node, metric, kind, size, sizeSigma and duration", () => {
    expect(
      faultRecord(
        NOON,
        'taller-1-plc',
        'valle/norte/lana/taller-1',
        'output',
        { kind: 'step', factor: 1.6, durationMs: 90_000 },
        { ...FLAT, daily: 0 },
      ),
    ).toEqual({
      at: '2026-01-15T12:00:00.000Z',
      atMs: NOON,
      device: 'taller-1-plc',
      node: 'valle/norte/lana/taller-1',
      metric: 'output',
      kind: 'step',
      size: 60,
      sizeSigma: 15,
      durationMs: 90_000,
    });
    expect(faultRecord(NOON, 'd', 'n', 'output', { kind: 'spike', factor: 3 }, FLAT).durationMs).toBe(0);
  });
});
