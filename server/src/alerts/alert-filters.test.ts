import { describe, expect, it } from '@jest/globals';
import { boss, councilA, councilB, setup, step } from '../../test/support/alert-test-kit.js';

describe('listing alerts', () => {
  const scenario = () => {
    const k = setup({ grouping: false });
    const { svc, clock } = k;
    svc.onDetection(step('r/a/a1')); // t0
    clock.t += 1000;
    svc.onDetection({
      ...step('r/a/a2'),
      output: { score: 0.95, kind: 'slope', probability: 0.8, forecast: null, alert: true, learning: false },
    }); // t0+1000
    clock.t += 1000;
    svc.onDetection(step('r/b/b1')); // t0+2000
    const [b1, a2, a1] = svc.list(boss, { order: 'newest' }).map((a) => a.id);
    clock.t += 1000;
    svc.resolve(a2!, councilA);
    clock.t += 60_000;
    svc.checkDeadlines(); // a1 -> r/a, b1 -> r/b
    return { ...k, a1: a1!, a2: a2!, b1: b1! };
  };

  it("lists newest first when asked (order: newest), only what passed through the caller's scope", () => {
    const { svc, a1, a2, b1 } = scenario();
    expect(svc.list(boss, { order: 'newest' }).map((a) => a.id)).toEqual([b1, a2, a1]);
    expect(svc.list(councilA, { order: 'newest' }).map((a) => a.id)).toEqual([a2, a1]);
    expect(svc.list(councilB, { order: 'newest' }).map((a) => a.id)).toEqual([b1]);
  });

  it('filters by state, with open meaning anything not resolved', () => {
    const { svc, a1, a2, b1 } = scenario();
    expect(svc.list(boss, { order: 'newest', state: 'open' }).map((a) => a.id)).toEqual([b1, a1]);
    expect(svc.list(boss, { order: 'newest', state: 'resolved' }).map((a) => a.id)).toEqual([a2]);
    expect(svc.list(boss, { order: 'newest', state: 'escalated' }).map((a) => a.id)).toEqual([b1, a1]);
    expect(svc.list(boss, { order: 'newest', state: 'raised' })).toEqual([]);
  });

  it('filters by node: alerts that passed through that node or its subtree', () => {
    const { svc, a1, a2, b1 } = scenario();
    expect(svc.list(boss, { order: 'newest', node: 'r/a' }).map((a) => a.id)).toEqual([a2, a1]);
    expect(svc.list(boss, { order: 'newest', node: 'r/a/a1' }).map((a) => a.id)).toEqual([a1]);
    expect(svc.list(boss, { order: 'newest', node: 'r/b' }).map((a) => a.id)).toEqual([b1]);
    // Still within scope: a node filter never widens what a caller sees.
    expect(svc.list(councilB, { order: 'newest', node: 'r/a' })).toEqual([]);
  });

  it('filters by kind and by a raisedAt range, inclusive, with a limit', () => {
    const { svc, a1, a2, b1 } = scenario();
    expect(svc.list(boss, { order: 'newest', kind: 'slope' }).map((a) => a.id)).toEqual([a2]);
    expect(svc.list(boss, { order: 'newest', since: 1_001_000 }).map((a) => a.id)).toEqual([b1, a2]);
    expect(svc.list(boss, { order: 'newest', until: 1_001_000 }).map((a) => a.id)).toEqual([a2, a1]);
    expect(svc.list(boss, { order: 'newest', since: 1_001_000, until: 1_001_000 }).map((a) => a.id)).toEqual([a2]);
    expect(
      svc.list(boss, { order: 'newest', state: 'open', since: 1_001_000, until: 1_002_000 }).map((a) => a.id),
    ).toEqual([b1]);
    expect(svc.list(boss, { order: 'newest', limit: 2 }).map((a) => a.id)).toEqual([b1, a2]);
  });
});
