import { describe, expect, it } from '@jest/globals';
import type { DetectorOutput, StreamingDetector } from '../../src/vsm/detectors/detector.js';
import { evaluateSyntheticSuite, median } from './suite.js';

function everyNth(n: number): StreamingDetector {
  let i = 0;
  return {
    update: (): DetectorOutput => {
      const alert = ++i % n === 0;
      return {
        score: alert ? 1 : 0,
        kind: alert ? 'step' : 'none',
        probability: 0.25,
        forecast: null,
        alert,
        learning: false,
      };
    },
    snapshot: () => ({ type: 'fake', version: 1 }),
  };
}

describe('evaluateSyntheticSuite', () => {
  it('reports 100 onsets and 100 alert rows per 10,000 readings on every null family for a detector alerting every 100th reading', () => {
    const r = evaluateSyntheticSuite(() => everyNth(100), { seeds: 2, families: ['null-white', 'null-1e12'] });
    expect(r.families).toEqual(['null-white', 'null-1e12']);
    expect(r.eventFamilies).toEqual([]);
    expect(r.readings).toBe(40_000);
    for (const f of r.nullFamilies)
      expect(f).toMatchObject({
        series: 2,
        onsetsPer10k: 100,
        alertRowsPer10k: 100,
        learningAlertRows: 0,
        worst: { seed: 1, onsetsPer10k: 100 },
      });
    // every onset is false and states 0.25: Brier 0.25², all in the [0.2, 0.3) bin, observed 0
    expect(r.calibration.detection.brier).toBeCloseTo(0.0625, 12);
    expect(r.calibration.detection.bins[2]).toMatchObject({ count: 400, observed: 0 });
  });

  it('scores a detector that never alerts: nothing detected, delays and kind accuracy undefined, no onsets to calibrate', () => {
    const r = evaluateSyntheticSuite(() => everyNth(Infinity), {
      seeds: 1,
      families: ['step-white-3', 'slope-white-20'],
    });
    expect(
      r.eventFamilies.map((f) => [f.name, f.detectionRate, f.medianDelay, f.kindAccuracy, f.falseOnsetsPer10k]),
    ).toEqual([
      ['step-white-3', 0, null, null, 0],
      ['slope-white-20', 0, null, null, 0],
    ]);
    expect(r.eventKinds.map((k) => k.kind)).toEqual(['step', 'slope']);
    expect(r.calibration.detection.count).toBe(0);
  });

  it('throws a RangeError for an unknown family or a seed count below 1', () => {
    expect(() => evaluateSyntheticSuite(() => everyNth(5), { seeds: 1, families: ['null-whit'] })).toThrow(RangeError);
    expect(() => evaluateSyntheticSuite(() => everyNth(5), { seeds: 0 })).toThrow(/seeds must be a positive integer/);
  });
});

describe('median', () => {
  it('is the middle value, the mean of the middle two, or null for none', () => {
    expect(median([4, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
