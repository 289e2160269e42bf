import { describe, expect, it } from '@jest/globals';
import type { Detection } from '../vsm/live-model.js';
import { refireNote } from './alert-service.js';
import { boss, setup, step, T0 } from '../../test/support/alert-test-kit.js';

/** A detector's opening row: every change opens as `change` (a flatline as `flatline`). */
const onset = (node: string, value: number, kind: 'change' | 'flatline' = 'change'): Detection => ({
  node,
  indicator: 'output',
  ts: 0,
  value,
  output: {
    score: 1,
    kind,
    probability: 0.9,
    forecast: { mean: 10, lower: 5, upper: 15 },
    sigmas: (value - 10) / 2.5,
    alert: true,
    learning: false,
  },
});

describe('an alert fires again on a new change while it is open', () => {
  it('a new opening row on its series: trail entry, count, an `updated` event at once, no second alert', () => {
    const { svc, events, clock } = setup();
    svc.onDetection(step('r/a/a1'));
    clock.t += 1000; // inside the 5 s between announced updates: an onset is announced anyway
    svc.onDetection(onset('r/a/a1', 30));
    expect(events.map(([e]) => e)).toEqual(['raised', 'updated']);
    const open = svc.list(boss, { state: 'open' });
    expect(open).toHaveLength(1);
    expect(open[0]!.refired).toEqual({ count: 1, lastAt: T0 + 1000 });
    expect(open[0]!.kind).toBe('change');
    const entry = open[0]!.trail.at(-1)!;
    expect(entry).toMatchObject({
      action: 'refired',
      actor: 'system',
      at: T0 + 1000,
      fromState: 'raised',
      toState: 'raised',
    });
    expect(entry.note).toBe('fired again: a new change, 30 (8.0 σ above the forecast, 90 % sure)');
  });

  it('a reclassification is not a new change: the trail says reclassified, nothing is counted', () => {
    const { svc, clock } = setup();
    svc.onDetection(onset('r/a/a1', 30));
    clock.t += 3000;
    svc.onDetection(step('r/a/a1'));
    const [a] = svc.list(boss, { state: 'open' });
    expect(a!.refired).toBeUndefined();
    expect(a!.trail.at(-1)!.note).toMatch(/^reclassified: now a step change/);
    expect(a!.trail.at(-1)!.says).toMatchObject({ key: 'reclassified', params: { kind: 'step', wasKind: 'change' } });
    expect(a!.trail.some((e) => e.action === 'refired')).toBe(false);
  });

  it('counts every new change and keeps its state (an acknowledged alert stays acknowledged)', () => {
    const { svc, clock } = setup();
    svc.onDetection(step('r/a/a1'));
    const id = svc.list(boss)[0]!.id;
    svc.acknowledge(id, { name: 'council-a', role: 'council', scope: 'r/a' }, 'looking');
    for (let i = 1; i <= 3; i++) {
      clock.t += 60_000;
      svc.onDetection(onset('r/a/a1', 2, i === 3 ? 'flatline' : 'change'));
    }
    const a = svc.list(boss, { state: 'open' }).find((x) => x.id === id)!;
    expect(a.refired).toEqual({ count: 3, lastAt: T0 + 180_000 });
    expect(a.state).toBe('acknowledged');
    expect(a.trail.filter((e) => e.action === 'refired').map((e) => e.note?.slice(0, 30))).toEqual([
      'fired again: a new change, 2 (',
      'fired again: a new change, 2 (',
      'fired again: the series stoppe',
    ]);
  });

  it('refireNote words it without a forecast too', () => {
    expect(refireNote('change', 41.23456, -6.31, 0.971)).toBe(
      'fired again: a new change, 41.23 (6.3 σ below the forecast, 97 % sure)',
    );
    expect(refireNote('flatline', 3, undefined, 0.5)).toBe('fired again: the series stopped varying, 3 (50 % sure)');
  });
});
