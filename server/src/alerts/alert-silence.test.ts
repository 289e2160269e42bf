import { describe, expect, it } from '@jest/globals';
import { boss, setup, step, T0 } from '../../test/support/alert-test-kit.js';

describe('AlertService.raiseSilence', () => {
  it('raises a dropout alert at the node, owned by it, with the silence in seconds as its value', () => {
    const { svc, events } = setup();
    svc.raiseSilence('r/a/a1', 'output', 'a1-plc', T0 - 30_000, 30_000);
    expect(events).toHaveLength(1);
    const [event, alert] = events[0]!;
    expect(event).toBe('raised');
    expect(alert).toMatchObject({
      node: 'r/a/a1',
      owner: 'r/a/a1',
      indicator: 'output',
      kind: 'dropout',
      probability: 1,
      score: 1,
      value: 30,
      state: 'raised',
      deadline: T0 + 60_000,
    });
    expect(alert.trail[0]!.note).toContain('a1-plc');
    expect(alert.trail[0]!.note).toContain(new Date(T0 - 30_000).toISOString());
  });

  it('while an alert is open for that node and indicator, that alert fires again instead: no second alert', () => {
    const { svc, events, clock } = setup();
    svc.onDetection(step('r/a/a1'));
    clock.t += 1000;
    svc.raiseSilence('r/a/a1', 'output', 'a1-plc', T0 - 30_000, 30_000);
    expect(events.map(([e, a]) => `${e}:${a.kind}`)).toEqual(['raised:step', 'updated:step']);
    const [alert] = svc.list(boss, { state: 'open' });
    expect(svc.list(boss, { state: 'open' })).toHaveLength(1);
    expect(alert!.refired).toEqual({ count: 1, lastAt: T0 + 1000 });
    const entry = alert!.trail.at(-1)!;
    expect(entry).toMatchObject({ action: 'refired', actor: 'system', at: T0 + 1000 });
    expect(entry.note).toContain('a1-plc');
  });

  it('raises once per silence: a second call for the same open dropout is ignored', () => {
    const { svc, events } = setup();
    svc.raiseSilence('r/a/a1', 'output', 'a1-plc', T0 - 30_000, 30_000);
    svc.raiseSilence('r/a/a1', 'output', 'a1-plc', T0 - 30_000, 45_000);
    expect(events).toHaveLength(1);
    expect(svc.list(boss, { state: 'open' })[0]!.refired).toBeUndefined();
  });

  it('a later silence (another device, or the same one again) fires the open dropout alert again', () => {
    const { svc, events } = setup();
    svc.raiseSilence('r/a/a1', 'output', 'a1-plc', T0 - 30_000, 30_000);
    svc.raiseSilence('r/a/a1', 'output', 'a1-spare', T0 - 20_000, 20_000);
    expect(events.map(([e]) => e)).toEqual(['raised', 'updated']);
    expect(svc.list(boss, { state: 'open' })[0]!.refired?.count).toBe(1);
  });

  it('ignores a node the model does not have', () => {
    const { svc, events } = setup();
    svc.raiseSilence('r/nowhere', 'output', 'x', T0, 20_000);
    expect(events).toEqual([]);
  });
});
