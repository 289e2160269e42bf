import { describe, expect, it } from '@jest/globals';
import { tinyModel } from '../../test/support/tiny-model.js';
import { MemoryAlertRepository } from './alert-repository.js';
import { boss, councilA, setup, step, T0, wideModel } from '../../test/support/alert-test-kit.js';

// Issue 15 point 4 on an injected clock: an alert that clears (is resolved) and re-raises more than
// N times within M minutes is held as one chattering alert; a flood's grouping alert names the
// child that alerted first.
const MIN = 60_000;

function chattery(reraises: number, minutes: number, over: Parameters<typeof setup>[0] = {}) {
  const model = tinyModel();
  model.chattering = { reraises, minutes };
  return setup({ model, grouping: false, ...over });
}

/** Raise at r/a/a1, then resolve it: one "clears and re-raises" cycle. Returns the alert id. */
function cycle(k: ReturnType<typeof setup>, resolve = true): string {
  k.svc.onDetection(step('r/a/a1'));
  const open = k.svc.list(boss, { state: 'open' }).find((a) => a.node === 'r/a/a1')!;
  if (resolve) k.svc.resolve(open.id, councilA, 'cleared');
  k.clock.t += MIN;
  return open.id;
}

describe('chattering alerts', () => {
  it('raises normally up to N re-raises within M minutes, then holds every further raise as one alert', () => {
    const k = chattery(2, 10);
    const ids = [cycle(k), cycle(k), cycle(k)]; // raise + 2 re-raises: not more than 2
    expect(new Set(ids).size).toBe(3);
    expect(k.eventsOf('raised')).toHaveLength(3);
    const raisedBefore = k.eventsOf('raised').length;

    const held = cycle(k, false); // the 3rd re-raise within 10 min: chattering
    expect(held).toBe(ids[2]); // the latest alert opens again instead of a new one
    expect(k.eventsOf('raised')).toHaveLength(raisedBefore); // not announced as a new alert (no webhook)
    const a = k.svc.get(held, boss);
    expect(a).toMatchObject({
      state: 'raised',
      owner: 'r/a/a1',
      deadline: T0 + 3 * MIN + 60_000,
      chattering: { raises: 4, firstAt: T0, lastAt: T0 + 3 * MIN },
    });
    expect(a.summary).toMatch(/chattering: raised 4 times within 10 min\.$/);
    expect(a.trail.at(-1)).toMatchObject({
      action: 'raised',
      actor: 'system',
      fromState: 'resolved',
      toState: 'raised',
    });
    expect(a.trail.at(-1)!.note).toMatch(
      /re-raised while chattering: 4 raises within 10 min \(more than 2 re-raises\)/,
    );
    expect(k.eventsOf('updated').at(-1)!.id).toBe(held);

    // While it is open, more evidence updates it (one alert per anomaly); resolved and back, it opens again.
    k.svc.resolve(held, councilA);
    k.clock.t += MIN;
    k.svc.onDetection(step('r/a/a1'));
    expect(k.svc.get(held, boss)).toMatchObject({ state: 'raised', chattering: { raises: 5 } });
    expect(k.svc.list(boss).filter((x) => x.node === 'r/a/a1')).toHaveLength(3); // 5 raises, 3 alerts
  });

  it('does not call raises further apart than M minutes chattering', () => {
    const k = chattery(1, 10);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(cycle(k));
      k.clock.t += 5 * MIN; // 6 min apart: at most one earlier raise within 10 min
    }
    expect(new Set(ids).size).toBe(5);
    expect(k.svc.list(boss).every((a) => a.chattering === undefined)).toBe(true);
  });

  it('uses more than 3 re-raises within 60 minutes when the model sets no rule', () => {
    const k = setup({ grouping: false });
    const ids = [cycle(k), cycle(k), cycle(k), cycle(k)];
    expect(new Set(ids).size).toBe(4);
    expect(cycle(k, false)).toBe(ids[3]);
  });

  it('remembers the raises across a restart (a new service on the same repository)', () => {
    const repo = new MemoryAlertRepository();
    const clock = { t: T0 };
    const first = chattery(2, 10, { repo, clock });
    const ids = [cycle(first), cycle(first), cycle(first)];
    const second = chattery(2, 10, { repo, clock });
    expect(cycle(second, false)).toBe(ids[2]);
    expect(second.svc.get(ids[2]!, boss).chattering?.raises).toBe(4);
  });

  it('holds a chattering dropout the same way', () => {
    const k = chattery(1, 10);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      k.svc.raiseSilence('r/a/a1', 'output', 'a1-dev', k.clock.t - MIN, MIN);
      const open = k.svc.list(boss, { state: 'open' })[0]!;
      ids.push(open.id);
      k.svc.resolve(open.id, councilA);
      k.clock.t += MIN;
    }
    expect(ids[2]).toBe(ids[1]);
    expect(k.svc.get(ids[1]!, boss).chattering?.raises).toBe(3);
  });
});

describe('floods', () => {
  it("shows in the parent's grouping alert which child alerted first", () => {
    const { svc, clock, eventsOf } = setup({ model: wideModel() });
    svc.onDetection(step('r/a/a3'));
    clock.t += 10_000;
    svc.onDetection(step('r/a/a1'));
    clock.t += 10_000;
    svc.onDetection(step('r/a/a2'));
    const group = eventsOf('raised').find((a) => a.kind === 'group')!;
    const first = svc.list(boss).find((a) => a.node === 'r/a/a3')!;
    expect(group.firstChild).toEqual({ alert: first.id, node: 'r/a/a3', at: T0 });
    expect(group.summary).toMatch(new RegExp(`first: r/a/a3 \\(output\\) at ${new Date(T0).toISOString()}\\.$`));
  });
});
