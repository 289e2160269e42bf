import { describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { tinyModel } from '../../test/support/tiny-model.js';
import { MemoryAlertRepository } from './alert-repository.js';
import { boss, councilA, councilB, setup, step, T0, workerA1 } from '../../test/support/alert-test-kit.js';
import type { AlertNotifier, NotifyEvent } from './webhook-notifier.js';

// Issue 15 point 5 on an injected clock: reminders of unacknowledged alerts to the owner's webhook
// at the model's interval, and an assignee set by the owner level.
const MIN = 60_000;

function world(remindEverySec?: number, over: { repo?: MemoryAlertRepository; clock?: { t: number } } = {}) {
  const model = tinyModel();
  for (const n of ['r/a/a1', 'r/a'])
    model.nodes.get(n)!.notify = {
      webhook: 'https://hooks.example/x',
      secretEnv: 'X',
      ...(remindEverySec !== undefined ? { remindEverySec } : {}),
    };
  model.nodes.get('r/a')!.correctionWindowSec = 3600; // an hour at r/a: reminders come before the next escalation
  model.users.set('worker-a1', { name: 'worker-a1', role: 'council', scope: 'r/a/a1', passwordHash: 'x' });
  const sent: Array<{ event: NotifyEvent; alert: Alert }> = [];
  const notifier: AlertNotifier = {
    notify: (event, alert) => sent.push({ event, alert }),
    close: async () => undefined,
  };
  const k = setup({ model, notifier, grouping: false, ...over });
  const reminders = () => sent.filter((x) => x.event === 'reminder');
  return { ...k, sent, reminders, model };
}

describe('reminders of unacknowledged alerts', () => {
  it("posts a reminder to the owner's webhook every interval while unacknowledged, and stops once acknowledged", () => {
    const { svc, clock, reminders } = world(600);
    svc.onDetection(step('r/a/a1')); // leaf window 60 s: acknowledge restarts it, so keep acking out of the picture
    const id = svc.list(boss)[0]!.id;
    clock.t = T0 + MIN;
    svc.checkDeadlines(); // escalated at T0 + 60 s to r/a (its window 600 s): owned by r/a since then
    clock.t = T0 + 11 * MIN - 1;
    svc.checkDeadlines();
    expect(reminders()).toHaveLength(0);
    clock.t = T0 + MIN + 10 * MIN;
    svc.checkDeadlines();
    expect(reminders().map((r) => [r.alert.id, r.alert.owner, r.alert.reminders])).toEqual([
      [id, 'r/a', { count: 1, lastAt: T0 + 11 * MIN }],
    ]);
    svc.checkDeadlines(); // not twice for one interval
    expect(reminders()).toHaveLength(1);
    svc.acknowledge(id, councilA);
    clock.t += 9 * MIN;
    svc.checkDeadlines();
    expect(reminders()).toHaveLength(1);
  });

  it('uses one hour when the model sets no interval, none at 0, and none for a node without a webhook, a shelved alert or one under maintenance', () => {
    const def = world();
    def.model.nodes.get('r/a/a1')!.correctionWindowSec = 7200; // stays with the leaf for the hour
    def.svc.onDetection(step('r/a/a1'));
    def.clock.t = T0 + 60 * MIN - 1;
    def.svc.checkDeadlines();
    expect(def.reminders()).toHaveLength(0);
    def.clock.t += 1;
    def.svc.checkDeadlines();
    expect(def.reminders().map((r) => r.alert.owner)).toEqual(['r/a/a1']);

    const off = world(0);
    off.svc.onDetection(step('r/a/a1'));
    off.clock.t += 24 * 60 * MIN;
    off.svc.checkDeadlines();
    expect(off.reminders()).toHaveLength(0);

    const quiet = world(60);
    quiet.svc.onDetection(step('r/b/b1')); // r/b has no webhook
    const shelved = quiet.svc.list(boss)[0]!.id;
    quiet.svc.onDetection(step('r/a/a1'));
    const a1 = quiet.svc.list(boss).find((a) => a.node === 'r/a/a1')!.id;
    quiet.svc.shelve(a1, boss, 60, 'known');
    quiet.clock.t += 30 * MIN;
    quiet.svc.checkDeadlines();
    expect(quiet.reminders().map((r) => r.alert.id)).not.toContain(a1);
    expect(quiet.reminders().map((r) => r.alert.id)).not.toContain(shelved);
  });

  it('neither repeats nor forgets a reminder across a restart', () => {
    const repo = new MemoryAlertRepository();
    const clock = { t: T0 };
    const first = world(600, { repo, clock });
    first.svc.onDetection(step('r/a/a1'));
    clock.t = T0 + MIN;
    first.svc.checkDeadlines(); // escalated to r/a
    clock.t = T0 + 11 * MIN;
    first.svc.checkDeadlines();
    expect(first.reminders()).toHaveLength(1);
    const second = world(600, { repo, clock });
    second.svc.checkDeadlines();
    expect(second.reminders()).toHaveLength(0); // the last was at T0 + 11 min
    clock.t = T0 + 21 * MIN;
    second.svc.checkDeadlines();
    expect(second.reminders().map((r) => r.alert.reminders)).toEqual([{ count: 2, lastAt: T0 + 21 * MIN }]);
  });
});

describe('assigning an alert', () => {
  it('sets and clears who works on it, in the trail, and lists by assignee', () => {
    const { svc } = world();
    svc.onDetection(step('r/a/a1'));
    svc.onDetection(step('r/b/b1'));
    const id = svc.list(boss).find((a) => a.node === 'r/a/a1')!.id;
    const a = svc.assign(id, councilA, 'worker-a1', 'on site');
    expect(a.assignee).toBe('worker-a1');
    expect(a.trail.at(-1)).toMatchObject({
      action: 'assigned',
      actor: 'council-a',
      note: 'assigned to worker-a1: on site',
      fromState: 'raised',
      toState: 'raised',
    });
    expect(svc.list(boss, { assignee: 'worker-a1' }).map((x) => x.id)).toEqual([id]);
    const b = svc.assign(id, boss, 'council-a');
    expect(b.trail.at(-1)!.note).toBe('assigned to council-a (was worker-a1)');
    const c = svc.assign(id, boss, undefined);
    expect(c.assignee).toBeUndefined();
    expect(c.trail.at(-1)!.note).toBe('unassigned (was council-a)');
  });

  it('refuses a user whose scope does not cover the owner (400, the same words as for no such user), a caller below the owner (403) or outside scope (404)', () => {
    const { svc, clock } = world();
    svc.onDetection(step('r/a/a1'));
    const id = svc.list(boss)[0]!.id;
    expect(() => svc.assign(id, boss, 'council-b')).toThrow(
      expect.objectContaining({
        statusCode: 400,
        message: expect.stringMatching(/no user "council-b" whose scope covers r\/a\/a1/),
      }),
    );
    expect(() => svc.assign(id, boss, 'nobody')).toThrow(
      expect.objectContaining({
        statusCode: 400,
        message: expect.stringMatching(/no user "nobody" whose scope covers/),
      }),
    );
    expect(() => svc.assign(id, councilB, 'boss')).toThrow(expect.objectContaining({ statusCode: 404 }));
    clock.t += MIN;
    svc.checkDeadlines(); // now owned by r/a
    expect(() => svc.assign(id, workerA1, 'worker-a1')).toThrow(expect.objectContaining({ statusCode: 403 }));
    expect(() => svc.assign(id, councilA, 'worker-a1')).toThrow(expect.objectContaining({ statusCode: 400 })); // the worker's scope no longer covers the owner
    svc.resolve(id, councilA);
    expect(() => svc.assign(id, councilA, 'council-a')).toThrow(expect.objectContaining({ statusCode: 409 }));
  });
});
