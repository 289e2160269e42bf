import { describe, expect, it } from '@jest/globals';
import { boss, councilA, setup, step, wideModel, workerA1 } from '../../test/support/alert-test-kit.js';

/** r/a with six leaves (a1…a6): three alerting is both ≥ 3 children and half of them. */
const wide = (over: Parameters<typeof setup>[0] = {}) => setup({ model: wideModel(), ...over });

describe('grouping alerts of several children at their parent', () => {
  it('raises one grouping alert at the parent when enough children alert within the span, linking both ways', () => {
    const { svc, clock, eventsOf } = wide();
    svc.onDetection(step('r/a/a1'));
    clock.t += 60_000;
    svc.onDetection(step('r/a/a2'));
    expect(eventsOf('raised').filter((a) => a.kind === 'group')).toEqual([]);
    clock.t += 60_000;
    svc.onDetection(step('r/a/a3'));
    const groups = eventsOf('raised').filter((a) => a.kind === 'group');
    expect(groups).toHaveLength(1);
    const g = groups[0]!;
    expect(g).toMatchObject({
      node: 'r/a',
      owner: 'r/a',
      path: ['r/a'],
      state: 'raised',
      indicator: 'output',
      value: 3,
      deadline: clock.t + 600_000,
    });
    expect(g.trail[0]!.note).toMatch(/3 of 6 children of r\/a alerted within 300 s/);
    const children = svc.list(boss, { state: 'open' }).filter((a) => a.kind !== 'group');
    expect(g.groups!.sort()).toEqual(children.map((a) => a.id).sort());
    for (const c of children) {
      expect(c.groupedBy).toBe(g.id);
      expect(c.trail.at(-1)).toMatchObject({ action: 'grouped', note: `grouped by ${g.id} at r/a` });
    }
    // The two earlier children were announced as updated; the third as raised, already grouped.
    expect(eventsOf('updated').filter((a) => a.groupedBy === g.id)).toHaveLength(2);
    expect(eventsOf('raised').find((a) => a.node === 'r/a/a3')!.groupedBy).toBe(g.id);
  });

  it('does not group children whose alerts are further apart than the span', () => {
    const { svc, clock, eventsOf } = wide();
    svc.onDetection(step('r/a/a1'));
    clock.t += 200_000;
    svc.onDetection(step('r/a/a2'));
    clock.t += 200_000;
    svc.onDetection(step('r/a/a3'));
    expect(eventsOf('raised').filter((a) => a.kind === 'group')).toEqual([]);
  });

  it('groups by share when half the children alert, but never a single child', () => {
    const { svc, eventsOf } = setup(); // tiny model: r/a has two children, r/b one
    svc.onDetection(step('r/b/b1'));
    expect(eventsOf('raised').filter((a) => a.kind === 'group')).toEqual([]);
    svc.onDetection(step('r/a/a1'));
    expect(eventsOf('raised').filter((a) => a.kind === 'group')).toEqual([]);
    svc.onDetection(step('r/a/a2'));
    expect(
      eventsOf('raised')
        .filter((a) => a.kind === 'group')
        .map((a) => a.node),
    ).toEqual(['r/a']);
  });

  it('adds a later child to the open group (an update), instead of raising another', () => {
    const { svc, clock, eventsOf, events } = wide();
    for (const n of ['a1', 'a2', 'a3']) svc.onDetection(step(`r/a/${n}`));
    const g = eventsOf('raised').find((a) => a.kind === 'group')!;
    clock.t += 30_000;
    const before = events.length;
    svc.onDetection(step('r/a/a4'));
    const after = events.slice(before);
    expect(after.map(([e, a]) => `${e}:${a.node}`)).toEqual(['raised:r/a/a4', 'updated:r/a']);
    const updated = after[1]![1];
    expect(updated.id).toBe(g.id);
    expect(updated.groups).toHaveLength(4);
    expect(updated.trail.at(-1)).toMatchObject({ action: 'grouped', note: expect.stringContaining('from r/a/a4') });
    expect(eventsOf('raised').filter((a) => a.kind === 'group')).toHaveLength(1);
  });

  it('resolves the open children with the group, recording it in each trail', () => {
    const { svc, eventsOf } = wide();
    for (const n of ['a1', 'a2', 'a3']) svc.onDetection(step(`r/a/${n}`));
    const g = eventsOf('raised').find((a) => a.kind === 'group')!;
    svc.resolve(g.groups![0]!, workerA1, 'a1 fixed on its own');
    svc.resolve(g.id, councilA, 'conveyor restarted');
    expect(svc.list(boss, { state: 'open' })).toEqual([]);
    const resolved = eventsOf('resolved');
    expect(resolved.map((a) => a.id).sort()).toEqual([...g.groups!, g.id].sort());
    const viaGroup = resolved.filter((a) => a.trail.at(-1)!.note?.startsWith(`resolved with group ${g.id}`));
    expect(viaGroup).toHaveLength(2);
    expect(viaGroup.every((a) => a.trail.at(-1)!.actor === 'council-a')).toBe(true);
  });

  it('resolves the group once its last open child is resolved', () => {
    const { svc, eventsOf } = wide();
    for (const n of ['a1', 'a2', 'a3']) svc.onDetection(step(`r/a/${n}`));
    const g = eventsOf('raised').find((a) => a.kind === 'group')!;
    for (const id of g.groups!) svc.resolve(id, boss);
    const group = svc.get(g.id, boss);
    expect(group.state).toBe('resolved');
    expect(group.trail.at(-1)).toMatchObject({
      actor: 'system',
      action: 'resolved',
      note: expect.stringMatching(/every grouped alert is resolved/),
    });
    // A new anomaly at a child afterwards is a new, loose alert.
    svc.onDetection(step('r/a/a1'));
    expect(svc.list(boss, { state: 'open' }).map((a) => a.groupedBy)).toEqual([undefined]);
  });

  it('lets a grouped child keep its own window, then hands it to the group instead of escalating it separately', () => {
    const { svc, clock, eventsOf, statuses } = wide();
    for (const n of ['a1', 'a2', 'a3']) svc.onDetection(step(`r/a/${n}`));
    const g = eventsOf('raised').find((a) => a.kind === 'group')!;
    clock.t += 60_000;
    svc.checkDeadlines();
    const children = eventsOf('escalated');
    expect(children).toHaveLength(3);
    for (const c of children) expect(c).toMatchObject({ owner: 'r/a', deadline: null, groupedBy: g.id });
    // r/a shows the group only, not the children it carries.
    expect(statuses.at(-1)!.find((s) => s.node === 'r/a')).toMatchObject({ openAlerts: 1, nextDeadline: g.deadline });
    clock.t = g.deadline!;
    svc.checkDeadlines();
    expect(eventsOf('escalated').map((a) => `${a.kind}:${a.owner}`)).toEqual([
      'step:r/a',
      'step:r/a',
      'step:r/a',
      'group:r',
    ]);
  });

  it('groups recursively: groups at several children of the root make one group at the root', () => {
    const { svc, eventsOf } = setup({ grouping: { minChildren: 2 } });
    svc.onDetection(step('r/a/a1'));
    svc.onDetection(step('r/a/a2'));
    svc.onDetection(step('r/b/b1'));
    // r/b has one child: one alert there is not a group. r/a's group is one child of r alerting; r/b1's alert is not a child of r.
    expect(
      eventsOf('raised')
        .filter((a) => a.kind === 'group')
        .map((a) => a.node),
    ).toEqual(['r/a']);
    svc.onDetection(step('r/b', 0.95, 1, 'output'));
    expect(
      eventsOf('raised')
        .filter((a) => a.kind === 'group')
        .map((a) => a.node),
    ).toEqual(['r/a', 'r']);
    const top = eventsOf('raised').find((a) => a.node === 'r')!;
    expect(top.trail[0]!.note).toMatch(/2 of 2 children of r/);
  });

  it('can be turned off', () => {
    const { svc, eventsOf } = setup({ grouping: false });
    svc.onDetection(step('r/a/a1'));
    svc.onDetection(step('r/a/a2'));
    expect(eventsOf('raised').filter((a) => a.kind === 'group')).toEqual([]);
  });
});
