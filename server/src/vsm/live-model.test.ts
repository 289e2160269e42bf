import { describe, expect, it } from '@jest/globals';
import { toColumns, type IndicatorUpdate, type Model, type NodeReading } from '@opsroom/models';
import { tinyModel } from '../../test/support/tiny-model.js';
import type { DetectorOutput, StreamingDetector } from './detectors/detector.js';
import { LiveModel, type Detection } from './live-model.js';

/** A detector that flags any value over 100 as a step; counts its calls. */
function thresholdDetector(): StreamingDetector {
  return {
    update(value: number): DetectorOutput {
      return value > 100
        ? {
            score: 1,
            kind: 'step',
            probability: 0.99,
            forecast: { mean: 10, lower: 5, upper: 15 },
            alert: true,
            learning: false,
          }
        : { score: 0, kind: 'none', probability: 0.99, forecast: null, alert: false, learning: false };
    },
    snapshot: () => ({ type: 'threshold', version: 1 }),
  };
}

function setup(now = { t: 1_000_000 }) {
  const detections: Detection[] = [];
  const live = new LiveModel(tinyModel(), {
    rollupPeriodMs: 60_000,
    now: () => now.t,
    createDetector: thresholdDetector,
    onDetection: (d) => detections.push(d),
  });
  const reading = (node: string, value: number, ts = now.t): NodeReading => ({
    node,
    deviceId: `${node.split('/').pop()}-dev`,
    metric: 'output',
    value,
    ts,
  });
  return { live, detections, reading, now };
}

describe('LiveModel', () => {
  it('gives the same roll-up and detections from a columnar batch as from the same readings as objects', () => {
    const run = (columnar: boolean) => {
      const { live, detections, now } = setup();
      // One device's message: values every 250 ms (4 Hz: the detector sees every reading), a spike in the middle.
      const values = [5, 6, 7, 8, 150, 9, 10, 11, 12, 13];
      const readings: NodeReading[] = values.map((v, i) => ({
        node: 'r/a/a1',
        deviceId: 'a1-dev',
        metric: 'output',
        value: v,
        ts: now.t + 250 * i,
      }));
      if (columnar) live.ingestBatch({ ...toColumns(readings), deviceId: 'a1-dev', node: 'r/a/a1' });
      else live.ingest(readings);
      return { updates: live.flush(), detections: detections.map((d) => [d.ts, d.value, d.output.kind]) };
    };
    const objects = run(false);
    const columns = run(true);
    expect(columns).toEqual(objects);
    expect(columns.detections.map(([, v]) => v)).toEqual([5, 6, 7, 8, 150, 9, 10, 11, 12, 13]);
    expect(columns.detections[4]).toEqual([1_001_000, 150, 'step']);
    expect(columns.updates.find((u) => u.node === 'r/a/a1')!.value).toBe(13);
  });

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

  it("computes Beer's indices from fixed and rolled-up levels", () => {
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

  it("runs the leaf detector per reading and reports the detection at the device's node", () => {
    const { live, reading, detections } = setup();
    live.ingest([reading('r/a/a1', 5), reading('r/a/a1', 500, 1_001_000)]);
    expect(detections).toHaveLength(2);
    expect(detections[1]).toMatchObject({ node: 'r/a/a1', indicator: 'output', value: 500, output: { kind: 'step' } });
    const a1 = live.flush().find((u) => u.node === 'r/a/a1')!;
    expect(a1.score).toBe(1);
    expect(a1.forecast).toEqual({ mean: 10, lower: 5, upper: 15 });
  });

  it('scores every reading of a 10 Hz feed (a single-reading spike is seen), and at most one per detect interval of a faster one', () => {
    const { live, reading, detections } = setup();
    // Ten readings 100 ms apart, a spike among them: all scored.
    live.ingest(Array.from({ length: 10 }, (_, i) => reading('r/a/a1', i === 6 ? 500 : 5 + i, 1_000_000 + i * 100)));
    expect(detections.map((d) => d.value)).toEqual([5, 6, 7, 8, 9, 10, 500, 12, 13, 14]);
    expect(live.flush().find((u) => u.node === 'r/a/a1')!.value).toBe(14);
    // A 1 kHz burst over 100 ms: one reading per DEFAULT_DETECT_INTERVAL_MS (50 ms) is scored, every one is stored and rolled up.
    detections.length = 0;
    live.ingest(Array.from({ length: 100 }, (_, i) => reading('r/a/a1', 20 + i, 1_002_000 + i)));
    expect(detections.map((d) => d.value)).toEqual([20, 70]);
    expect(live.flush().find((u) => u.node === 'r/a/a1')!.value).toBe(119);
  });

  it('keeps scoring a device whose clock stepped back (a reboot to 1970): the reading is scored at once', () => {
    const { live, reading, detections } = setup();
    live.ingest([reading('r/a/a1', 5, 1_000_000), reading('r/a/a1', 6, 1_000)]);
    expect(detections.map((d) => d.value)).toEqual([5, 6]);
  });

  it("runs parents' detectors once per period on the rolled-up value", () => {
    const { live, reading, detections } = setup();
    live.ingest([reading('r/a/a1', 60), reading('r/a/a2', 70)]);
    detections.length = 0;
    live.periodTick();
    const parents = detections.filter((d) => (d.node === 'r/a' || d.node === 'r') && d.series === undefined);
    expect(parents.map((d) => d.node).sort()).toEqual(['r', 'r/a']);
    expect(parents.find((d) => d.node === 'r/a')!.output.kind).toBe('step'); // 130 > 100
  });

  it("watches Beer's indices of every node that has them, leaves included, once per period", () => {
    const { live, reading, detections } = setup();
    live.ingest([reading('r/a/a1', 5), reading('r/a/a2', 15)]);
    detections.length = 0;
    live.periodTick();
    const indices = detections
      .filter((d) => d.series !== undefined)
      .map((d) => `${d.node} ${d.series}=${d.value.toFixed(3)}`);
    // a1: capability 10, potentiality 20; a2: 30, 40; r/a: 40, 60 (rolled up); r/b and r have none.
    expect(indices.sort()).toEqual([
      'r/a latency=0.667',
      'r/a performance=0.333',
      'r/a productivity=0.500',
      'r/a/a1 latency=0.500',
      'r/a/a1 performance=0.250',
      'r/a/a1 productivity=0.500',
      'r/a/a2 latency=0.750',
      'r/a/a2 performance=0.375',
      'r/a/a2 productivity=0.500',
    ]);
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

/** A copy of the tiny model with `change` applied to its nodes, indicators and devices. */
function editedTinyModel(change: (m: Model) => void): Model {
  const m = tinyModel([
    { id: 'output', name: 'Output', unit: 'u', rollup: 'sum' },
    { id: 'energy', name: 'Energy', unit: 'kWh', rollup: 'sum' },
  ]);
  change(m);
  return m;
}

function removeNode(m: Model, path: string): void {
  for (const p of [...m.nodes.keys()]) if (p === path || p.startsWith(path + '/')) m.nodes.delete(p);
  const parent = m.nodes.get(path.slice(0, path.lastIndexOf('/')));
  if (parent) parent.children = parent.children.filter((c) => c !== path);
  for (const [id, d] of m.devices) if (!m.nodes.has(d.node)) m.devices.delete(id);
}

describe('LiveModel.replaceModel', () => {
  function setupTwo(now = { t: 1_000_000 }) {
    let created = 0;
    const live = new LiveModel(
      editedTinyModel(() => {}),
      {
        rollupPeriodMs: 60_000,
        now: () => now.t,
        createDetector: () => {
          created++;
          return thresholdDetector();
        },
        onDetection: () => {},
      },
    );
    const reading = (node: string, metric: string, value: number): NodeReading => ({
      node,
      deviceId: `${node.split('/').pop()}-dev`,
      metric,
      value,
      ts: now.t,
    });
    return { live, reading, now, created: () => created };
  }

  it('keeps the values and detectors of the nodes and indicators that remain', () => {
    const { live, reading, created } = setupTwo();
    live.ingest([reading('r/a/a1', 'output', 4), reading('r/a/a2', 'output', 6), reading('r/b/b1', 'output', 5)]);
    live.flush();
    const before = created();
    live.replaceModel(editedTinyModel((m) => removeNode(m, 'r/b')));
    const a = live.flush().find((u) => u.node === 'r/a' && u.indicator === 'output')!;
    expect(a.value).toBe(10);
    live.ingest([reading('r/a/a1', 'output', 7)]);
    expect(created()).toBe(before); // the same detector goes on learning
  });

  it('drops removed nodes and counts the children the new tree has', () => {
    const { live, reading } = setupTwo();
    live.ingest([reading('r/a/a1', 'output', 4), reading('r/b/b1', 'output', 5)]);
    live.flush();
    const dropped = live.replaceModel(editedTinyModel((m) => removeNode(m, 'r/b')));
    expect(dropped.droppedCells).toBeGreaterThanOrEqual(2); // r/b and r/b/b1 for output
    expect(dropped.droppedDetectors).toBe(1); // b1's device series
    const updates = live.flush();
    expect(updates.some((u) => u.node.startsWith('r/b'))).toBe(false);
    expect(live.snapshot().some((u) => u.node.startsWith('r/b'))).toBe(false);
    const root = updates.find((u) => u.node === 'r' && u.indicator === 'output')!;
    expect(root.value).toBe(4); // b1's 5 no longer counts
    expect(root.missingChildren).toBe(0);
  });

  it('drops a removed indicator and takes roll-up rules and levels from the new model', () => {
    const { live, reading } = setupTwo();
    live.ingest([reading('r/a/a1', 'output', 4), reading('r/a/a2', 'output', 6), reading('r/a/a1', 'energy', 1)]);
    live.flush();
    live.replaceModel(
      editedTinyModel((m) => {
        m.indicators = [{ id: 'output', name: 'Output', unit: 'u', rollup: 'max' }];
        m.nodes.get('r/a')!.levels = { output: { capability: 8, potentiality: 12 } };
      }),
    );
    const updates = live.flush();
    expect(updates.some((u) => u.indicator === 'energy')).toBe(false);
    const a = updates.find((u) => u.node === 'r/a')!;
    expect(a).toMatchObject({ value: 6, capability: 8, potentiality: 12, productivity: 6 / 8 });
  });

  it('takes learned levels: the next flush updates every node, with sources and indices from them', () => {
    const { live, reading } = setup();
    live.ingest([reading('r/a/a1', 5), reading('r/b/b1', 6)]);
    const before = live.flush().find((u) => u.node === 'r/a/a1')!;
    expect(before).toMatchObject({ capability: 10, capabilitySource: 'set', productivity: 0.5 });
    expect(live.flush()).toEqual([]);
    // a learned value only counts where the model says `learned` (b1 has no number, a1 sets 10)
    const m = tinyModel();
    m.nodes.get('r/b/b1')!.levels = { output: { learn: { capability: { percentile: 95, windowDays: 28 } } } };
    live.replaceModel(m);
    live.flush();
    live.setLearned(new Map([['r/b/b1', new Map([['output', { capability: 8 }]])]]));
    const updates = live.flush();
    expect(updates).toHaveLength(6); // every node
    expect(updates.find((u) => u.node === 'r/b/b1')).toMatchObject({
      capability: 8,
      capabilitySource: 'learned',
      productivity: 6 / 8,
    });
    expect(updates.find((u) => u.node === 'r/b/b1')!.potentialitySource).toBeUndefined();
    expect(updates.find((u) => u.node === 'r')).toMatchObject({ capability: 48, capabilitySource: 'learned' });
    expect(live.snapshot((p) => p === 'r/a/a1')[0]).toMatchObject({ capability: 10, capabilitySource: 'set' });
  });

  it("keeps each indicator's values when the new model lists the indicators in another order or adds one", () => {
    const { live, reading, created } = setupTwo();
    live.ingest([
      reading('r/a/a1', 'output', 4),
      reading('r/a/a2', 'output', 6),
      reading('r/a/a1', 'energy', 1),
      reading('r/a/a2', 'energy', 2),
    ]);
    live.flush();
    const before = created();
    live.replaceModel(
      editedTinyModel((m) => {
        m.indicators = [
          { id: 'water', name: 'Water', unit: 'm3', rollup: 'sum' },
          { id: 'energy', name: 'Energy', unit: 'kWh', rollup: 'sum' },
          { id: 'output', name: 'Output', unit: 'u', rollup: 'sum' },
        ];
      }),
    );
    const updates = live.flush();
    const get = (node: string, indicator: string) => updates.find((u) => u.node === node && u.indicator === indicator)!;
    expect(get('r/a', 'output').value).toBe(10);
    expect(get('r/a', 'energy').value).toBe(3);
    expect(get('r/a', 'water').value).toBeNull();
    live.ingest([reading('r/a/a1', 'output', 7), reading('r/a/a1', 'water', 9)]);
    expect(created()).toBe(before + 1); // output's detector goes on learning; water's is new
    const after = live.flush();
    expect(after.find((u) => u.node === 'r/a' && u.indicator === 'output')!.value).toBe(13);
    expect(after.find((u) => u.node === 'r/a' && u.indicator === 'water')!.value).toBe(9);
  });

  it('forgets a device’s value at a node it is no longer bound to', () => {
    const { live, reading } = setupTwo();
    live.ingest([reading('r/a/a1', 'output', 4), reading('r/a/a2', 'output', 6)]);
    live.flush();
    live.replaceModel(editedTinyModel((m) => (m.devices.get('a2-dev')!.node = 'r/b/b1')));
    const get = (updates: IndicatorUpdate[], n: string) =>
      updates.find((u) => u.node === n && u.indicator === 'output')!;
    const updates = live.flush();
    expect(get(updates, 'r/a/a2')).toMatchObject({ value: null, stale: true });
    expect(get(updates, 'r/a').value).toBe(4);
  });

  it('recomputes every node on the next flush, and ignores readings for nodes that are gone', () => {
    const { live, reading } = setupTwo();
    live.ingest([reading('r/a/a1', 'output', 4)]);
    live.flush();
    const m = editedTinyModel((x) => removeNode(x, 'r/b'));
    live.replaceModel(m);
    expect(new Set(live.flush().map((u) => u.node))).toEqual(new Set(m.nodes.keys()));
    live.ingest([reading('r/b/b1', 'output', 9)]);
    expect(live.flush()).toEqual([]);
    expect(live.snapshot().some((u) => u.node === 'r/b/b1')).toBe(false);
  });
});
