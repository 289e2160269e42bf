import { describe, expect, it } from '@jest/globals';
import { MIN_LEARN_HOURS, type Model } from '@opsroom/models';
import { MemoryStore } from '../store/memory-store.js';
import { tinyModel } from '../../test/support/tiny-model.js';
import { DAY_MS, HOUR_MS, learnLevel, learnTargets, percentile } from './learn-levels.js';
import { LevelLearner } from './level-learner.js';
import { effectiveLevels, type LearnedLevels } from './levels.js';

const NOW = Date.UTC(2026, 11, 6, 12);
/** `n` hourly means ending at the hour before NOW, oldest first, with values `f(i)`. */
const hours = (n: number, f: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => ({ ts: NOW - (n - i) * HOUR_MS, value: f(i) }));

describe('percentile', () => {
  it('interpolates linearly between the closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([], 95)).toBeUndefined();
    expect(percentile([0, 10], 95)).toBeCloseTo(9.5, 12);
  });
});

describe('learnLevel: a percentile of the hourly means over a trailing window', () => {
  const rule = { percentile: 95, windowDays: 28 };

  it('is the percentile of the hours in the window', () => {
    expect(
      learnLevel(
        hours(36, (i) => i + 1),
        rule,
        NOW,
      ),
    ).toBeCloseTo(34.25, 12);
    // order does not matter
    expect(learnLevel(hours(36, (i) => i + 1).reverse(), rule, NOW)).toBeCloseTo(34.25, 12);
  });

  it(`is unknown with fewer than ${MIN_LEARN_HOURS} hours holding a value`, () => {
    expect(
      learnLevel(
        hours(MIN_LEARN_HOURS - 1, () => 5),
        rule,
        NOW,
      ),
    ).toBeUndefined();
    expect(
      learnLevel(
        hours(MIN_LEARN_HOURS, () => 5),
        rule,
        NOW,
      ),
    ).toBe(5);
    const withNaN = hours(MIN_LEARN_HOURS, () => 5);
    withNaN[0]!.value = NaN;
    expect(learnLevel(withNaN, rule, NOW)).toBeUndefined();
  });

  it('leaves out hours before the window and after now', () => {
    const old = hours(24 * 40, (i) => (i < 24 * 12 ? 1_000 : 10)); // the first 12 of 40 days high
    expect(learnLevel(old, rule, NOW)).toBe(10);
    expect(learnLevel(old, { percentile: 95, windowDays: 40 }, NOW)).toBe(1_000);
    const future = [...hours(24, () => 10), { ts: NOW + HOUR_MS, value: 1_000 }];
    expect(learnLevel(future, rule, NOW)).toBe(10);
    // only 1 day of a 28-day window: still learned (a day is enough), from that day
    expect(
      learnLevel(
        hours(24, (i) => i),
        { percentile: 50, windowDays: 1 },
        NOW,
      ),
    ).toBe(11.5);
  });

  it('is not moved by one spike, as a maximum would be', () => {
    const h = hours(24 * 7, () => 100);
    h[50]!.value = 10_000;
    expect(learnLevel(h, rule, NOW)).toBe(100);
  });
});

/** tinyModel (r -> a -> a1, a2; r -> b -> b1; a1 capability 10/potentiality 20, a2 30/40) with learning added. */
function learningModel(): Model {
  const m = tinyModel([
    {
      id: 'output',
      name: 'Output',
      unit: 'u',
      rollup: 'sum',
      learn: { potentiality: { percentile: 99, windowDays: 365 } },
    },
  ]);
  m.nodes.get('r/b/b1')!.levels = {
    output: { learn: { capability: { percentile: 95, windowDays: 28, fallback: 7 } } },
  };
  return m;
}

describe('effectiveLevels with learned values', () => {
  it('orders: a number set at the node, the learned value, the fallback, the roll-up, and says the source', () => {
    const m = learningModel();
    const none = effectiveLevels(m);
    // b1 learns its capability: its fallback (set) until learned; a1/a2 set both numbers, which win over the
    // indicator's learned potentiality.
    expect(none.get('r/b/b1')!.get('output')).toEqual({ capability: 7, capabilitySource: 'set' });
    expect(none.get('r/a/a1')!.get('output')).toEqual({
      capability: 10,
      potentiality: 20,
      capabilitySource: 'set',
      potentialitySource: 'set',
    });
    // a learns potentiality (the indicator's rule) and has nothing learned yet: its children's roll-up, as before.
    expect(none.get('r/a')!.get('output')).toMatchObject({ potentiality: 60, potentialitySource: 'set' });
    expect(none.get('r')!.get('output')).toEqual({ capability: 47, capabilitySource: 'set' });

    const learned: LearnedLevels = new Map([
      ['r/b/b1', new Map([['output', { capability: 12, potentiality: 99 }]])],
      ['r/a', new Map([['output', { potentiality: 75 }]])],
      ['r/a/a1', new Map([['output', { potentiality: 1_000 }]])], // a1 sets its own: ignored
    ]);
    const l = effectiveLevels(m, learned);
    expect(l.get('r/b/b1')!.get('output')).toEqual({
      capability: 12,
      potentiality: 99,
      capabilitySource: 'learned',
      potentialitySource: 'learned',
    });
    expect(l.get('r/a/a1')!.get('output')).toMatchObject({ potentiality: 20, potentialitySource: 'set' });
    expect(l.get('r/a')!.get('output')).toMatchObject({ potentiality: 75, potentialitySource: 'learned' });
    // the root rolls up learned children: learned (r and r/b learn potentiality too, but nothing is learned for
    // them here, so r/b takes b1's 99 and r 75 + 99)
    expect(l.get('r')!.get('output')).toEqual({
      capability: 52,
      potentiality: 174,
      capabilitySource: 'learned',
      potentialitySource: 'learned',
    });
  });
});

describe('learnTargets', () => {
  it('lists the nodes and indicators that learn a level, with their rules and the longest window', () => {
    const targets = learnTargets(learningModel());
    expect(targets.map((t) => [t.node, Object.keys(t.rules).join('+'), t.windowDays])).toEqual([
      ['r', 'potentiality', 365],
      ['r/a', 'potentiality', 365],
      ['r/b', 'potentiality', 365],
      ['r/b/b1', 'capability+potentiality', 365],
    ]);
    expect(learnTargets(tinyModel())).toEqual([]);
  });
});

describe('LevelLearner', () => {
  it("learns from the store's history of leaves and parents and hands the values to the live model", async () => {
    const store = new MemoryStore();
    // b1: 2 days of hourly readings 0..47 (4 a hour, equal within the hour); a1: 10 hours only.
    const points = [];
    for (let h = 0; h < 48; h++)
      for (let q = 0; q < 4; q++)
        points.push({
          node: 'r/b/b1',
          metric: 'output',
          deviceId: 'b1-dev',
          ts: NOW - 2 * DAY_MS + h * HOUR_MS + q,
          value: h,
        });
    for (let h = 0; h < 10; h++)
      points.push({
        node: 'r/a/a1',
        metric: 'output',
        deviceId: 'a1-dev',
        ts: NOW - 10 * HOUR_MS + h * HOUR_MS,
        value: 5,
      });
    await store.writeBatch(points);
    const given: LearnedLevels[] = [];
    const learner = new LevelLearner({
      model: learningModel,
      store,
      live: { setLearned: (l) => given.push(l) },
      now: () => NOW,
      rollupPeriodMs: 60_000,
    });
    const pass = await learner.refresh();
    expect(given).toEqual([pass.learned]);
    // b1 learns capability (95th of 0..47) and potentiality (99th); b and r only see b1 (a1 too short) -> the same
    // hourly sums but for the 10 hours of a1 at r.
    expect(pass.learned.get('r/b/b1')!.get('output')!.capability).toBeCloseTo(44.65, 9);
    expect(pass.learned.get('r/b/b1')!.get('output')!.potentiality).toBeCloseTo(46.53, 9);
    expect(pass.learned.get('r/b')!.get('output')).toEqual({
      potentiality: pass.learned.get('r/b/b1')!.get('output')!.potentiality,
    });
    expect(pass.learned.get('r/a')).toBeUndefined(); // 10 hours: waiting
    expect(pass.counts).toEqual({ learned: 4, waiting: 1, failed: 0 });
    await store.close();
  });

  it('keeps the previous values of a node whose read fails, and passes asked for together run once', async () => {
    const store = new MemoryStore();
    await store.writeBatch(
      hours(30, () => 9).map((p) => ({ node: 'r/b/b1', metric: 'output', deviceId: 'b1-dev', ...p })),
    );
    let fail = false;
    let reads = 0;
    const query = store.query.bind(store);
    store.query = (q) => {
      reads++;
      return fail ? Promise.reject(new Error('disk')) : query(q);
    };
    const learner = new LevelLearner({
      model: learningModel,
      store,
      live: { setLearned: () => {} },
      now: () => NOW,
      rollupPeriodMs: 60_000,
    });
    const first = await learner.refresh();
    expect(first.learned.get('r/b/b1')!.get('output')).toEqual({ capability: 9, potentiality: 9 });
    fail = true;
    reads = 0;
    const [a, b] = await Promise.all([learner.refresh(), learner.refresh()]);
    expect(a).toBe(b);
    expect(a.learned.get('r/b/b1')!.get('output')).toEqual({ capability: 9, potentiality: 9 });
    expect(a.counts.failed).toBe(4);
    expect(reads).toBeLessThan(30); // two passes at most (the second asked for during the first)
    await store.close();
  });
});
