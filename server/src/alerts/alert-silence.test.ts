import { describe, expect, it } from '@jest/globals';
import { boss, setup, step, T0 } from './alert-test-kit.js';

describe('AlertService.raiseSilence', () => {
  it('raises a dropout alert at the node, owned by it, with the silence in seconds as its value', () => {
    const { svc, events } = setup();
    svc.raiseSilence('r/a/a1', 'output', 'a1-plc', T0 - 30_000, 30_000);
    expect(events).toHaveLength(1);
    const [event, alert] = events[0]!;
    expect(event).toBe('raised');
    expect(alert).toMatchObject({ node: 'r/a/a1', owner: 'r/a/a1', indicator: 'output', kind: 'dropout', probability: 1, score: 1, value: 30, state: 'raised', deadline: T0 + 60_000 });
    expect(alert.trail[0]!.note).toContain('a1-plc');
    expect(alert.trail[0]!.note).toContain(new Date(T0 - 30_000).toISOString());
  });

  it('does nothing while an alert is open for that node and indicator', () => {
    const { svc, events } = setup();
    svc.onDetection(step('r/a/a1'));
    svc.raiseSilence('r/a/a1', 'output', 'a1-plc', T0 - 30_000, 30_000);
    svc.raiseSilence('r/a/a1', 'output', 'a1-plc', T0 - 30_000, 40_000);
    expect(events.map(([e, a]) => `${e}:${a.kind}`)).toEqual(['raised:step']);
    expect(svc.list(boss, { state: 'open' })).toHaveLength(1);
  });

  it('raises once per silence: a second call for the same open dropout is ignored', () => {
    const { svc, events } = setup();
    svc.raiseSilence('r/a/a1', 'output', 'a1-plc', T0 - 30_000, 30_000);
    svc.raiseSilence('r/a/a1', 'output', 'a1-plc', T0 - 30_000, 45_000);
    expect(events).toHaveLength(1);
  });

  it('ignores a node the model does not have', () => {
    const { svc, events } = setup();
    svc.raiseSilence('r/nowhere', 'output', 'x', T0, 20_000);
    expect(events).toEqual([]);
  });
});
