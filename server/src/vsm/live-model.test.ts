import { describe, expect, it } from '@jest/globals';
import type { NodeReading } from '@opsroom/models';
import { tinyModel } from '../testing/tiny-model.js';
import type { DetectorOutput, StreamingDetector } from './detectors/detector.js';
import { LiveModel, type Detection } from './live-model.js';

/** A detector that flags any value over 100 as a step; counts its calls. */
function thresholdDetector(): StreamingDetector {
  return {
    update(value: number): DetectorOutput {
      return value > 100 ? { score: 1, kind: 'step', probability: 0.99, forecast: { mean: 10, lower: 5, upper: 15 } } : { score: 0, kind: 'none', probability: 0.99, forecast: null };
    },
    snapshot: () => ({ type: 'threshold', version: 1 }),
  };
}

function setup(now = { t: 1_000_000 }) {
  const detections: Detection[] = [];
  const live = new LiveModel(tinyModel(), { rollupPeriodMs: 60_000, now: () => now.t, createDetector: thresholdDetector, onDetection: (d) => detections.push(d) });
  const reading = (node: string, value: number, ts = now.t): NodeReading => ({ node, deviceId: `${node.split('/').pop()}-dev`, metric: 'output', value, ts });
  return { live, detections, reading, now };
}

describe('LiveModel', () => {
  it('rolls a sum up the tree and says how many children are missing', () => {
    const { live, reading } = setup();
    live.ingest([reading('r/a/a1', 4), reading('r/a/a2', 6)]);
    const updates = live.flush();
    const get = (n: string) => updates.find((u) => u.node === n && u.indicator === 'output')!;
    expect(get('r/a/a1').value).toBe(4);
    expect(get('r/a').value).toBe(10);
    expect(get('r/a').missingChildren).toBe(0);
    expect(get('r').value).toBe(10);
    expect(get('r').missingChildren).toBe(1); // r/b sent nothing
    expect(get('r').stale).toBe(false);
  });

  it('computes Beer\'s indices from fixed and rolled-up levels', () => {
    const { live, reading } = setup();
    live.ingest([reading('r/a/a1', 5), reading('r/a/a2', 15)]);
    const a = live.flush().find((u) => u.node === 'r/a')!;
    // capability 10 + 30 = 40, potentiality 20 + 40 = 60
    expect(a.capability).toBe(40);
    expect(a.potentiality).toBe(60);
    expect(a.productivity).toBeCloseTo(20 / 40);
    expect(a.latency).toBeCloseTo(40 / 60);
    expect(a.performance).toBeCloseTo(20 / 60);
  });

  it('marks a leaf stale after a period without readings, and its parent never shows a silent zero', () => {
    const { live, reading, now } = setup();
    live.ingest([reading('r/b/b1', 7)]);
    live.flush();
    now.t += 60_001;
    const updates = live.periodTick();
    const b1 = updates.find((u) => u.node === 'r/b/b1')!;
    const b = updates.find((u) => u.node === 'r/b')!;
    expect(b1.stale).toBe(true);
    expect(b1.value).toBeNull();
    expect(b.value).toBeNull();
    expect(b.stale).toBe(true);
    expect(b.missingChildren).toBe(1);
  });

  it('runs the leaf detector per reading and reports the detection at the device\'s node', () => {
    const { live, reading, detections } = setup();
    live.ingest([reading('r/a/a1', 5), reading('r/a/a1', 500)]);
    expect(detections).toHaveLength(2);
    expect(detections[1]).toMatchObject({ node: 'r/a/a1', indicator: 'output', value: 500, output: { kind: 'step' } });
    const a1 = live.flush().find((u) => u.node === 'r/a/a1')!;
    expect(a1.score).toBe(1);
    expect(a1.forecast).toEqual({ mean: 10, lower: 5, upper: 15 });
  });

  it('runs parents\' detectors once per period on the rolled-up value', () => {
    const { live, reading, detections } = setup();
    live.ingest([reading('r/a/a1', 60), reading('r/a/a2', 70)]);
    detections.length = 0;
    live.periodTick();
    const parents = detections.filter((d) => d.node === 'r/a' || d.node === 'r');
    expect(parents.map((d) => d.node).sort()).toEqual(['r', 'r/a']);
    expect(parents.find((d) => d.node === 'r/a')!.output.kind).toBe('step'); // 130 > 100
  });

  it('seeds the latest stored values after a restart without running detectors', () => {
    const { live, reading, detections } = setup();
    live.seed([reading('r/a/a1', 500), reading('r/a/a2', 6)]);
    expect(detections).toEqual([]);
    const a = live.flush().find((u) => u.node === 'r/a')!;
    expect(a.value).toBe(506);
  });

  it('snapshots only the nodes the filter lets through', () => {
    const { live, reading } = setup();
    live.ingest([reading('r/a/a1', 1), reading('r/b/b1', 2)]);
    live.flush();
    const nodes = new Set(live.snapshot((p) => p === 'r/b' || p.startsWith('r/b/')).map((u) => u.node));
    expect([...nodes].sort()).toEqual(['r/b', 'r/b/b1']);
  });
});
