import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Model, NodeReading } from '@opsroom/models';
import { tinyModel } from '../../test/support/tiny-model.js';
import type { DetectorState } from './detectors/detector.js';
import { createDetector } from './detectors/restore.js';
import { readDetectorCheckpoint, writeDetectorCheckpoint } from './detector-checkpoint.js';
import { LiveModel, type Detection } from './live-model.js';

const LEAVES = ['r/a/a1', 'r/a/a2', 'r/b/b1'];

/** A LiveModel with real (Cyberstride) detectors, its clock and what it detected. */
function live(model: Model = tinyModel()) {
  const clock = { t: 1_000_000 };
  const detections: Detection[] = [];
  const m = new LiveModel(model, {
    rollupPeriodMs: 60_000,
    now: () => clock.t,
    createDetector: () => createDetector(),
    onDetection: (d) => detections.push(d),
  });
  return { m, clock, detections };
}

/** Reading i of every leaf's device: a noisy level per leaf (deterministic), one second apart. */
function readings(i: number, t: number, step = 0): NodeReading[] {
  return LEAVES.map((node, k) => ({
    node,
    deviceId: `${node.split('/').pop()}-dev`,
    metric: 'output',
    value: 50 + 10 * k + Math.sin(i * 1.3 + k) * 2 + step,
    ts: t,
  }));
}

/** Feeds readings i0 … i0+n−1 to every device, a roll-up period tick after each. */
function run(x: ReturnType<typeof live>, i0: number, n: number, step = 0): void {
  for (let i = i0; i < i0 + n; i++) {
    x.clock.t = 1_000_000 + i * 1000;
    x.m.ingest(readings(i, x.clock.t, step));
    x.m.periodTick();
  }
}

const key = (d: Detection) => `${d.node}/${d.indicator}/${d.series ?? 'actuality'}`;

describe('LiveModel.exportDetectors and importDetectors', () => {
  it('export every detector: device series, rolled-up and index series, under keys that name them', () => {
    const x = live();
    run(x, 0, 3);
    const keys = x.m.exportDetectors().map(([k]) => k.replaceAll('\0', '|'));
    expect(keys).toEqual(
      expect.arrayContaining([
        'r/a/a1|output|@a1-dev',
        'r/b/b1|output|@b1-dev',
        'r/a|output',
        'r|output',
        'r/a/a1|output|#productivity',
        'r/a|output|#performance',
      ]),
    );
    expect(keys.filter((k) => k.includes('@'))).toHaveLength(3);
    expect(keys.filter((k) => !k.includes('@') && !k.includes('#'))).toHaveLength(3); // r, r/a, r/b
    for (const [, s] of x.m.exportDetectors()) expect(s).toMatchObject({ type: 'cyberstride' });
  });

  it('restore detectors past their learning period into a new LiveModel: not learning, and the next 50 outputs equal those of the model that never stopped', () => {
    const before = live();
    run(before, 0, 200);
    const last = new Map(before.detections.map((d) => [key(d), d.output.learning]));
    expect([...last.values()].every((learning) => !learning)).toBe(true);

    const exported: Array<[string, DetectorState]> = JSON.parse(JSON.stringify(before.m.exportDetectors()));
    const after = live();
    expect(after.m.importDetectors(exported)).toEqual({ restored: exported.length, skipped: 0, failed: 0 });
    const fresh = live(); // the same readings with no checkpoint: learning again
    before.detections.length = 0;
    for (const x of [before, after, fresh]) run(x, 200, 50, 30);
    expect(after.detections.length).toBeGreaterThan(50 * 3);
    expect(after.detections).toEqual(before.detections);
    expect(after.detections.every((d) => !d.output.learning)).toBe(true);
    expect(after.detections.some((d) => d.output.alert)).toBe(true); // the 15σ step at reading 200
    expect(fresh.detections.every((d) => d.output.learning && !d.output.alert)).toBe(true);
  });

  it('create the device series of a restored detector without a value: the roll-up ignores it until seed() gives one', () => {
    const before = live();
    run(before, 0, 160);
    const after = live();
    after.m.importDetectors(before.m.exportDetectors().filter(([k]) => k === 'r/a/a1\0output\0@a1-dev'));
    after.clock.t = before.clock.t;
    const a1 = () => after.m.flush().find((u) => u.node === 'r/a/a1')!;
    after.m.periodTick();
    expect(after.m.snapshot().find((u) => u.node === 'r/a/a1')).toMatchObject({ value: null, stale: true });
    after.m.seed([{ node: 'r/a/a1', deviceId: 'a1-dev', metric: 'output', value: 7, ts: after.clock.t }]);
    expect(a1()).toMatchObject({ value: 7, stale: false });
    // Its next reading is scored by the restored detector, past its learning period.
    after.m.ingest([{ node: 'r/a/a1', deviceId: 'a1-dev', metric: 'output', value: 50, ts: after.clock.t + 1000 }]);
    expect(after.detections.at(-1)).toMatchObject({ node: 'r/a/a1', output: { learning: false } });
    expect(after.m.flush().find((u) => u.node === 'r/a/a1')).toMatchObject({ value: 50, learning: false });
  });

  it('skip snapshots of series the model no longer has, count those that do not restore, and never throw', () => {
    const before = live();
    run(before, 0, 3);
    const good = before.m.exportDetectors();
    const snap = good[0]![1];
    const model = tinyModel();
    model.devices.set('a2-dev', { ...model.devices.get('a2-dev')!, node: 'r/b/b1' }); // moved to another node
    const after = live(model);
    const entries: Array<[string, DetectorState]> = [
      ['r/a/a1\0output\0@a1-dev', snap],
      ['r/a/a2\0output\0@a2-dev', snap], // no longer bound there
      ['r/zz\0output', snap], // unknown node
      ['r\0water', snap], // unknown indicator
      ['r\0output\0#velocity', snap], // unknown index
      ['r\0output\0@a1-dev', snap], // a1-dev is not r's device
      ['r\0output\0x', snap], // no known shape
      ['r\0output\0#latency\0more', snap],
      ['r', snap],
      ['r\0output', { type: 'cyberstride', version: 3, options: {}, state: 'AAAA' }], // does not restore
      ['r/a\0output', { type: 'nope', version: 1 }],
      ['r/a\0output\0#latency', snap],
    ];
    expect(after.m.importDetectors(entries)).toEqual({ restored: 2, skipped: 8, failed: 2 });
    expect(after.m.exportDetectors().map(([k]) => k)).toEqual(['r/a/a1\0output\0@a1-dev', 'r/a\0output\0#latency']);
  });

  it('give a checkpoint written in batches, with the model replaced between two batches, the detectors that remain under their right keys', async () => {
    const model = tinyModel();
    const devices = Array.from({ length: 1500 }, (_, i) => `x${i}`);
    for (const id of devices) model.devices.set(id, { id, node: 'r/a/a1', secretHash: 'x' });
    const x = live(model);
    x.m.ingest([
      ...devices.map((deviceId) => ({ node: 'r/a/a1', deviceId, metric: 'output', value: 1, ts: x.clock.t })),
      readings(0, x.clock.t)[1]!,
    ]);
    // The next model keeps 200 of those devices (100 already written, 100 not yet) and puts 'output' in another column.
    const next = tinyModel([
      { id: 'water', name: 'Water', unit: 'm3', rollup: 'sum' },
      { id: 'output', name: 'Output', unit: 'u', rollup: 'sum' },
    ]);
    const kept = [...devices.slice(0, 100), ...devices.slice(1400)];
    for (const id of kept) next.devices.set(id, { id, node: 'r/a/a1', secretHash: 'x' });
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-live-ckpt-'));
    try {
      const file = join(dir, 'detectors.ckpt');
      const writing = writeDetectorCheckpoint(file, x.m.detectorEntries());
      x.m.replaceModel(next); // the writer is waiting after its first 1,024 detectors
      expect((await writing).detectors).toBe(1024 + 100 + 1);
      const keys = (await readDetectorCheckpoint(file))!.map(([k]) => k.replaceAll('\0', '|'));
      expect(keys.slice(0, 1024)).toEqual(devices.slice(0, 1024).map((d) => `r/a/a1|output|@${d}`));
      expect(keys.slice(1024)).toEqual([
        ...devices.slice(1400).map((d) => `r/a/a1|output|@${d}`),
        'r/a/a2|output|@a2-dev',
      ]);
      const after = live(next);
      expect(after.m.importDetectors((await readDetectorCheckpoint(file))!)).toEqual({
        restored: 201,
        skipped: 924,
        failed: 0,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
