import { describe, expect, it } from '@jest/globals';
import type { IndicatorUpdate, Model, ModelNode, NodeReading } from '@opsroom/models';
import type { DetectorOutput, StreamingDetector } from './detectors/detector.js';
import { LiveModel, staleAfterMs } from './live-model.js';

const quiet = (): StreamingDetector => ({
  update: (): DetectorOutput => ({
    score: 0,
    kind: 'none',
    probability: 1,
    forecast: null,
    alert: false,
    learning: false,
  }),
  snapshot: () => ({ type: 'quiet', version: 1 }),
});

/**
 * A chain seven levels deep, r/l1/…/l6, with two leaves under the deepest level (l6/w1 and
 * l6/w2, six levels below the root) and one leaf beside the chain at the first level (r/side):
 * each leaf has one device `<leaf>-dev`.
 */
function deepModel(): Model {
  const nodes = new Map<string, ModelNode>();
  const add = (path: string, children: string[]) => {
    const parts = path.split('/');
    nodes.set(path, {
      path,
      id: parts.at(-1)!,
      name: parts.at(-1)!,
      depth: parts.length - 1,
      parent: parts.length > 1 ? parts.slice(0, -1).join('/') : undefined,
      children: children.map((c) => `${path}/${c}`),
      correctionWindowSec: 60,
      weights: {},
      levels: {},
    });
  };
  const chain = ['r', 'r/l1', 'r/l1/l2', 'r/l1/l2/l3', 'r/l1/l2/l3/l4', 'r/l1/l2/l3/l4/l5'];
  add('r', ['l1', 'side']);
  for (let i = 1; i < chain.length; i++) add(chain[i]!, [`l${i + 1}`]);
  const l6 = 'r/l1/l2/l3/l4/l5/l6';
  add(l6, ['w1', 'w2']);
  const leaves = [`${l6}/w1`, `${l6}/w2`, 'r/side'];
  for (const leaf of leaves) add(leaf, []);
  const devices = new Map(
    leaves.map(
      (n) =>
        [
          `${n.split('/').pop()}-dev`,
          { id: `${n.split('/').pop()}-dev`, node: n, secretHash: 'scrypt$16384$8$1$x$y' },
        ] as const,
    ),
  );
  return {
    name: 'deep',
    levels: [],
    indicators: [{ id: 'output', name: 'Output', unit: 'u', rollup: 'sum' }],
    nodes,
    root: 'r',
    devices,
    users: new Map(),
  };
}

const W1 = 'r/l1/l2/l3/l4/l5/l6/w1';
const W2 = 'r/l1/l2/l3/l4/l5/l6/w2';

function setup(opts: { rollupPeriodMs?: number } = {}) {
  const clock = { t: 1_000_000 };
  const live = new LiveModel(deepModel(), {
    rollupPeriodMs: opts.rollupPeriodMs ?? 60_000,
    now: () => clock.t,
    createDetector: quiet,
    onDetection: () => {},
  });
  const latest = new Map<string, IndicatorUpdate>();
  const flush = () => {
    for (const u of live.flush()) latest.set(u.node, u);
    return latest;
  };
  /** Every leaf's device sends one reading a second for `seconds` (the clock moves with them), except `silent` ones. */
  const run = (seconds: number, silent: string[] = []) => {
    for (let i = 0; i < seconds; i++) {
      clock.t += 1000;
      const readings: NodeReading[] = [W1, W2, 'r/side']
        .filter((n) => !silent.includes(n))
        .map((n) => ({ node: n, deviceId: `${n.split('/').pop()}-dev`, metric: 'output', value: 1, ts: clock.t }));
      live.ingest(readings);
      flush();
    }
  };
  return { live, clock, latest, flush, run };
}

describe('staleness through the recursion', () => {
  it('counts a leaf that stopped sending six levels down as missing at every ancestor, the root included, and clears it when it speaks again', () => {
    const { latest, run } = setup();
    run(10);
    expect(latest.get('r')).toMatchObject({ value: 3, stale: false, missingChildren: 0, missingDescendants: 0 });

    // w1 stops; its learnt interval is 1 s, so it is missing 1 s + 5 s (the least margin) after its last reading.
    run(5, [W1]);
    expect(latest.get(W1)).toMatchObject({ stale: false, missingDescendants: 0 });
    run(1, [W1]);
    expect(latest.get(W1)).toMatchObject({ value: null, stale: true, missingDescendants: 1 });
    expect(latest.get('r/l1/l2/l3/l4/l5/l6')).toMatchObject({
      value: 1,
      stale: false,
      missingChildren: 1,
      missingDescendants: 1,
    });
    for (const p of ['r/l1/l2/l3/l4/l5', 'r/l1/l2/l3/l4', 'r/l1/l2/l3', 'r/l1/l2', 'r/l1']) {
      expect(latest.get(p)).toMatchObject({
        node: p,
        value: 1,
        stale: false,
        missingChildren: 0,
        missingDescendants: 1,
      });
    }
    expect(latest.get('r')).toMatchObject({ value: 2, stale: false, missingChildren: 0, missingDescendants: 1 });

    // It speaks again: every count is back to 0 at the next flush.
    run(1);
    for (const u of latest.values())
      expect({ node: u.node, stale: u.stale, missingDescendants: u.missingDescendants }).toEqual({
        node: u.node,
        stale: false,
        missingDescendants: 0,
      });
    expect(latest.get('r')!.value).toBe(3);
  });

  it('turns a dropped device stale without any reading or period tick: flush alone re-examines it when its time is up', () => {
    const { live, clock, latest, flush, run } = setup();
    run(30);
    const heard = clock.t;
    clock.t = heard + 3000;
    live.ingest([{ node: 'r/side', deviceId: 'side-dev', metric: 'output', value: 1, ts: clock.t }]); // only side goes on, once
    flush();
    clock.t = heard + 5999;
    flush();
    expect(latest.get(W2)!.stale).toBe(false);
    clock.t = heard + 6000;
    flush();
    expect(latest.get(W1)).toMatchObject({ stale: true, missingDescendants: 1 });
    expect(latest.get(W2)).toMatchObject({ stale: true, missingDescendants: 1 });
    expect(latest.get('r/l1/l2/l3/l4/l5/l6')).toMatchObject({
      value: null,
      stale: true,
      missingChildren: 2,
      missingDescendants: 2,
    });
    expect(latest.get('r/l1')).toMatchObject({ value: null, stale: true, missingChildren: 1, missingDescendants: 2 });
    expect(latest.get('r')).toMatchObject({ value: 1, stale: false, missingChildren: 1, missingDescendants: 2 });
  });

  it('counts devices at the node itself, and leaves out series never heard', () => {
    const { live, clock, flush } = setup();
    live.ingest(
      [1, 2, 3].map((i) => ({ node: W1, deviceId: 'w1-dev', metric: 'output', value: 1, ts: clock.t + i * 1000 })),
    );
    const first = flush();
    // w2 and side never sent: their parents count them as missing children, not as missing devices.
    expect(first.get('r')).toMatchObject({ missingChildren: 1, missingDescendants: 0 });
    clock.t += 60_000;
    expect(flush().get(W1)).toMatchObject({ stale: true, missingDescendants: 1 });
  });

  it('uses the roll-up period for a series whose interval is not learnt yet (one reading, or seeded at start-up)', () => {
    const { live, clock, flush } = setup({ rollupPeriodMs: 30_000 });
    live.seed([{ node: W2, deviceId: 'w2-dev', metric: 'output', value: 4, ts: clock.t - 10_000 }]);
    live.ingest([{ node: W1, deviceId: 'w1-dev', metric: 'output', value: 2, ts: clock.t }]);
    expect(flush().get('r')).toMatchObject({ value: 6, missingDescendants: 0 });
    clock.t += 20_000; // the seeded reading is now 30 s old
    expect(flush().get('r')).toMatchObject({ value: 2, missingDescendants: 1 });
    clock.t += 10_000;
    expect(flush().get('r')).toMatchObject({ value: null, stale: true, missingDescendants: 2 });
  });

  it('judges silence by the server clock, so a device clock behind the server does not make it stale', () => {
    const { live, clock, flush } = setup();
    for (let i = 0; i < 20; i++) {
      clock.t += 1000;
      live.ingest([{ node: W1, deviceId: 'w1-dev', metric: 'output', value: 1, ts: clock.t - 3_600_000 + i }]); // an hour behind, 1 ms apart
    }
    expect(flush().get(W1)).toMatchObject({ stale: false, value: 1 });
  });
});

describe('the expected interval', () => {
  it('is learnt between arrivals: a device sending a batch of 1 s samples every 10 s stays fresh between batches', () => {
    const { live, clock, flush } = setup();
    for (let b = 0; b < 10; b++) {
      live.ingest(
        Array.from({ length: 10 }, (_, i) => ({
          node: W1,
          deviceId: 'w1-dev',
          metric: 'output',
          value: 1,
          ts: clock.t - 9000 + i * 1000,
        })),
      );
      flush();
      clock.t += 9000;
      expect(flush().get(W1)).toMatchObject({ stale: false, missingDescendants: 0 });
      clock.t += 1000;
    }
    // Expected every 10 s: missing 10 s + 10 s after the last batch.
    clock.t += 9999;
    expect(flush().get(W1)!.stale).toBe(false);
    clock.t += 1;
    expect(flush().get('r')).toMatchObject({ stale: true, missingDescendants: 1 });
  });
});

describe('the expected interval, untrusted', () => {
  it('is the roll-up period until three gaps are learnt: three readings sent by hand stay fresh for the period', () => {
    const { live, clock, flush } = setup();
    for (let i = 0; i < 3; i++) {
      live.ingest([{ node: W1, deviceId: 'w1-dev', metric: 'output', value: 1, ts: clock.t }]);
      clock.t += 1000;
    }
    clock.t += 58_999; // 59 999 ms after the last reading (two gaps learnt, not three)
    expect(flush().get(W1)).toMatchObject({ stale: false, missingDescendants: 0 });
    clock.t += 1;
    expect(flush().get(W1)).toMatchObject({ stale: true, missingDescendants: 1 });
  });
});

describe('staleAfterMs', () => {
  it('is the learnt interval plus one more interval, at least the least margin, at most the roll-up period', () => {
    expect(staleAfterMs(1000, 60_000)).toBe(6000);
    expect(staleAfterMs(100, 60_000)).toBe(5100);
    expect(staleAfterMs(20_000, 60_000)).toBe(40_000);
    expect(staleAfterMs(45_000, 60_000)).toBe(60_000);
    expect(staleAfterMs(NaN, 60_000)).toBe(60_000);
    expect(staleAfterMs(1000, 60_000, 500)).toBe(2000);
  });
});
