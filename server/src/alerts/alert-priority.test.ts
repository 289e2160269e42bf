import { describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { tinyModel } from '../../test/support/tiny-model.js';
import { alertPriority, basePriority, byPriorityThenDeadline, highestPriority } from './alert-priority.js';
import { boss, setup, step, wideModel } from '../../test/support/alert-test-kit.js';
import type { Detection } from '../vsm/live-model.js';

/** A detection `sigmas` noise sds away, `probability` sure. */
const seen = (node: string, sigmas: number, probability: number, indicator = 'output'): Detection => {
  const d = step(node, 0.95, 500, indicator);
  return { ...d, output: { ...d.output, sigmas, probability } };
};

describe('alert priority', () => {
  it('starts at the nearest node override, else the indicator, else medium', () => {
    const m = tinyModel([
      { id: 'output', name: 'Output', unit: 'u', rollup: 'sum', priority: 'high' },
      { id: 'energy', name: 'Energy', unit: 'kWh', rollup: 'sum' },
    ]);
    expect(basePriority(m, 'r/a/a1', 'output')).toBe('high');
    expect(basePriority(m, 'r/a/a1', 'energy')).toBe('medium');
    m.nodes.get('r/a')!.priorities = { output: 'low', energy: 'critical' };
    m.nodes.get('r/a/a2')!.priorities = { output: 'critical' };
    expect(basePriority(m, 'r/a/a1', 'output')).toBe('low'); // the parent's override reaches its subtree
    expect(basePriority(m, 'r/a/a2', 'output')).toBe('critical'); // the nearest wins
    expect(basePriority(m, 'r/a/a2', 'energy')).toBe('critical');
    expect(basePriority(m, 'r/b/b1', 'output')).toBe('high'); // another subtree keeps the indicator's
  });

  it('moves one step up when far and sure, one down when near and unsure, and stays otherwise', () => {
    expect(alertPriority('high', { sigmas: 12, probability: 0.95 })).toBe('critical');
    expect(alertPriority('critical', { sigmas: -40, probability: 0.99 })).toBe('critical'); // capped
    expect(alertPriority('medium', { sigmas: 4, probability: 0.55 })).toBe('low');
    expect(alertPriority('low', { sigmas: 1, probability: 0.1 })).toBe('low'); // floored
    expect(alertPriority('high', { sigmas: 7, probability: 0.8 })).toBe('high');
    expect(alertPriority('medium', { sigmas: 12, probability: 0.7 })).toBe('medium'); // far but unsure
    expect(alertPriority('medium', { probability: 1 })).toBe('medium'); // no distance (dropout)
    expect(highestPriority(['low', undefined, 'high', 'medium'])).toBe('high');
  });

  it('gives each raised alert its priority and raises it as stronger evidence arrives, noting it in the trail', () => {
    const m = tinyModel([{ id: 'output', name: 'Output', unit: 'u', rollup: 'sum', priority: 'high' }]);
    const { svc, clock, eventsOf } = setup({ model: m, grouping: false });
    svc.onDetection(seen('r/a/a1', 6, 0.8));
    const [a] = eventsOf('raised');
    expect(a!.priority).toBe('high');
    clock.t += 100; // within the update throttle: a priority change is announced at once
    svc.onDetection(seen('r/a/a1', 15, 0.97));
    const now = svc.get(a!.id, boss);
    expect(now.priority).toBe('critical');
    expect(now.trail.at(-1)).toMatchObject({ action: 'updated', note: 'priority high -> critical' });
    expect(now.trail.at(-1)?.says).toEqual({ key: 'priority', params: { from: 'high', to: 'critical' } });
    expect(eventsOf('updated').at(-1)!.priority).toBe('critical');
  });

  it('orders lists by priority, then the nearest deadline, then newest', () => {
    const m = tinyModel([
      { id: 'output', name: 'Output', unit: 'u', rollup: 'sum' },
      { id: 'energy', name: 'Energy', unit: 'kWh', rollup: 'sum', priority: 'critical' },
    ]);
    const { svc, clock } = setup({ model: m, grouping: false });
    svc.onDetection(seen('r/a', 3, 0.5)); // medium -> low, window 600 s
    clock.t += 1000;
    svc.onDetection(seen('r/a/a1', 6, 0.8)); // medium, window 60 s
    clock.t += 1000;
    svc.onDetection(seen('r/b', 6, 0.8)); // medium, window 600 s
    clock.t += 1000;
    svc.onDetection(seen('r/b/b1', 6, 0.8, 'energy')); // critical
    const listed = svc.list(boss).map((a) => `${a.node} ${a.indicator} ${a.priority}`);
    expect(listed).toEqual(['r/b/b1 energy critical', 'r/a/a1 output medium', 'r/b output medium', 'r/a output low']);
    expect(svc.list(boss, { priority: 'medium' }).map((a) => a.node)).toEqual(['r/a/a1', 'r/b']);
    expect(svc.list(boss, { order: 'newest' }).map((a) => a.node)).toEqual(['r/b/b1', 'r/b', 'r/a/a1', 'r/a']);
    const none = { deadline: null, raisedAt: 5 } as Alert;
    expect(byPriorityThenDeadline(none, { deadline: 10, raisedAt: 1 } as Alert)).toBeGreaterThan(0); // no deadline last
  });

  it('sends notifications of one moment in priority order, critical first', () => {
    const m = tinyModel([
      { id: 'output', name: 'Output', unit: 'u', rollup: 'sum' },
      { id: 'energy', name: 'Energy', unit: 'kWh', rollup: 'sum', priority: 'critical' },
    ]);
    const sent: string[] = [];
    const { svc, clock } = setup({
      model: m,
      grouping: false,
      notifier: { notify: (e, a) => sent.push(`${e} ${a.indicator} ${a.priority}`), close: async () => undefined },
    });
    svc.onDetection(seen('r/a/a1', 6, 0.8)); // medium, raised first
    svc.onDetection(seen('r/a/a2', 6, 0.8, 'energy')); // critical
    sent.length = 0;
    clock.t += 60_000; // both windows run out at once
    svc.checkDeadlines();
    expect(sent).toEqual(['escalated energy critical', 'escalated output medium']);
  });

  it('gives a grouping alert the highest priority of its children, and raises it when a higher one joins', () => {
    const m = wideModel(4);
    m.indicators = [{ id: 'output', name: 'Output', unit: 'u', rollup: 'sum' }];
    m.nodes.get('r/a/a4')!.priorities = { output: 'critical' };
    const { svc, eventsOf } = setup({ model: m });
    for (const leaf of ['r/a/a1', 'r/a/a2', 'r/a/a3']) svc.onDetection(seen(leaf, 6, 0.8));
    const group = eventsOf('raised').find((a) => a.kind === 'group')!;
    expect(group.priority).toBe('medium');
    svc.onDetection(seen('r/a/a4', 6, 0.8));
    expect(svc.get(group.id, boss).priority).toBe('critical');
  });
});
