import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { openStateDatabase } from '../state/state-db.js';
import { boss, councilA, councilB, setup as kitSetup, step, workerA1 } from '../../test/support/alert-test-kit.js';
import type { AlertRepository } from './alert-repository.js';
import { SqliteAlertRepository } from './sqlite-alert-repository.js';

const setup = (repo?: AlertRepository, clock?: { t: number }) => kitSetup({ repo, clock });

describe('AlertService', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("raises an alert owned by the node where the anomaly was seen, with that level's window", () => {
    const { svc, events } = setup();
    svc.onDetection(step('r/a/a1'));
    expect(events).toHaveLength(1);
    const [event, alert] = events[0]!;
    expect(event).toBe('raised');
    expect(alert).toMatchObject({
      node: 'r/a/a1',
      owner: 'r/a/a1',
      path: ['r/a/a1'],
      kind: 'step',
      state: 'raised',
      deadline: 1_000_000 + 60_000,
    });
  });

  it('ignores outputs below the threshold or of kind none', () => {
    const { svc, events } = setup();
    svc.onDetection(step('r/a/a1', 0.5));
    svc.onDetection({
      ...step('r/a/a1'),
      output: { score: 1, kind: 'none', probability: 1, forecast: null, alert: false, learning: false },
    });
    expect(events).toEqual([]);
  });

  it('updates the open alert of a persisting anomaly instead of raising another', () => {
    const { svc, events, clock } = setup();
    svc.onDetection(step('r/a/a1'));
    clock.t += 6000;
    svc.onDetection(step('r/a/a1', 0.99, 600));
    expect(events.map(([e]) => e)).toEqual(['raised', 'updated']);
    expect(events[1]![1].value).toBe(600);
    expect(svc.list(boss, { state: 'open' })).toHaveLength(1);
  });

  it("escalates one level up when the window runs out, with the parent's window, up to the root", () => {
    const { svc, events, clock } = setup();
    svc.onDetection(step('r/a/a1'));
    clock.t += 59_999;
    svc.checkDeadlines();
    expect(events.filter(([e]) => e === 'escalated')).toHaveLength(0);
    clock.t += 1;
    svc.checkDeadlines();
    let a = events.at(-1)![1];
    expect(a).toMatchObject({ state: 'escalated', owner: 'r/a', path: ['r/a/a1', 'r/a'], deadline: clock.t + 600_000 });
    svc.checkDeadlines(); // not overdue again: no second escalation
    expect(events.filter(([e]) => e === 'escalated')).toHaveLength(1);
    clock.t += 600_000;
    svc.checkDeadlines();
    a = events.at(-1)![1];
    expect(a).toMatchObject({ owner: 'r', path: ['r/a/a1', 'r/a', 'r'] });
    expect(a.trail.map((t) => t.action)).toEqual(['raised', 'escalated', 'escalated']);
    expect(a.trail[2]).toMatchObject({ fromNode: 'r/a', toNode: 'r', actor: 'system' });
  });

  it('restarts the window once on acknowledge, and escalates when it runs out unresolved', () => {
    const { svc, clock } = setup();
    svc.onDetection(step('r/a/a1'));
    const id = svc.list(boss)[0]!.id;
    clock.t += 30_000;
    const acked = svc.acknowledge(id, councilA, 'on it');
    expect(acked.deadline).toBe(clock.t + 60_000);
    expect(() => svc.acknowledge(id, councilA)).toThrow(/acknowledged/);
    clock.t += 60_000;
    svc.checkDeadlines();
    expect(svc.get(id, boss).owner).toBe('r/a');
  });

  it('lets a lower level resolve an alert after it moved up, resolving it everywhere', () => {
    const { svc, clock, events } = setup();
    svc.onDetection(step('r/a/a1'));
    const id = svc.list(boss)[0]!.id;
    clock.t += 60_000;
    svc.checkDeadlines();
    const resolved = svc.resolve(id, { name: 'worker', role: 'council', scope: 'r/a/a1' }, 'fixed the belt');
    expect(resolved.state).toBe('resolved');
    expect(resolved.deadline).toBeNull();
    expect(events.at(-1)![0]).toBe('resolved');
    expect(svc.list(boss, { state: 'open' })).toEqual([]);
    // A new anomaly after resolution raises a new alert.
    svc.onDetection(step('r/a/a1'));
    expect(svc.list(boss, { state: 'open' })[0]!.id).not.toBe(id);
  });

  it("hides alerts outside the caller's scope as not found", () => {
    const { svc } = setup();
    svc.onDetection(step('r/a/a1'));
    const id = svc.list(boss)[0]!.id;
    expect(svc.list(councilB)).toEqual([]);
    expect(() => svc.get(id, councilB)).toThrow(expect.objectContaining({ statusCode: 404 }));
    expect(() => svc.resolve(id, councilB)).toThrow(expect.objectContaining({ statusCode: 404 }));
    expect(svc.get(id, councilA).id).toBe(id);
  });

  it('records comments and directives in the trail and sends directives down to the origin node', () => {
    const { svc, directives } = setup();
    svc.onDetection(step('r/a/a1'));
    const id = svc.list(boss)[0]!.id;
    svc.comment(id, councilA, 'looking');
    const a = svc.directive(id, boss, 'slow line 2');
    expect(a.trail.map((t) => [t.action, t.actor])).toEqual([
      ['raised', 'system'],
      ['commented', 'council-a'],
      ['directive', 'boss'],
    ]);
    expect(directives).toEqual(['r/a/a1:slow line 2']);
  });

  it('reports node status: alert at the owner, crisis where an escalated alert arrived', () => {
    const { svc, clock } = setup();
    svc.onDetection(step('r/a/a1'));
    expect(svc.statuses(['r/a/a1', 'r/a'])).toEqual([
      { node: 'r/a/a1', state: 'alert', openAlerts: 1, nextDeadline: clock.t + 60_000 },
      { node: 'r/a', state: 'normal', openAlerts: 0, nextDeadline: null },
    ]);
    clock.t += 60_000;
    svc.checkDeadlines();
    expect(svc.statuses(['r/a'])[0]!.state).toBe('crisis');
  });

  it('keeps open alerts and deadlines in SQLite across a restart, escalating an overdue one once at start-up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-alerts-'));
    dirs.push(dir);
    const clock = { t: 1_000_000 };
    const { db: db1 } = openStateDatabase(dir);
    const first = setup(new SqliteAlertRepository(db1), clock);
    first.svc.onDetection(step('r/a/a1'));
    const id = first.svc.list(boss)[0]!.id;
    db1.close();

    clock.t += 120_000; // the server was down past the deadline
    const { db: db2 } = openStateDatabase(dir);
    const second = setup(new SqliteAlertRepository(db2), clock);
    second.svc.checkDeadlines();
    second.svc.checkDeadlines();
    const a = second.svc.get(id, boss);
    expect(a.owner).toBe('r/a');
    expect(a.trail.filter((t) => t.action === 'escalated')).toHaveLength(1);
    expect(second.events.filter(([e]) => e === 'escalated')).toHaveLength(1);
    db2.close();
  });

  describe("at the window's edge (deadline == now)", () => {
    it('escalates when the timer runs exactly at the deadline', () => {
      const { svc, clock, eventsOf } = setup();
      svc.onDetection(step('r/a/a1'));
      clock.t += 60_000;
      svc.checkDeadlines();
      expect(eventsOf('escalated').map((a) => a.owner)).toEqual(['r/a']);
    });

    it('gives an acknowledgement at the deadline the same outcome whichever runs first, the request or the timer', () => {
      const outcome = (timerFirst: boolean) => {
        const { svc, clock, eventsOf } = setup();
        svc.onDetection(step('r/a/a1'));
        const id = svc.list(boss)[0]!.id;
        clock.t += 60_000;
        if (timerFirst) svc.checkDeadlines();
        let refused: unknown;
        try {
          svc.acknowledge(id, workerA1, 'just in time?');
        } catch (err) {
          refused = err;
        }
        svc.checkDeadlines();
        const a = svc.get(id, boss);
        return {
          refused: (refused as { statusCode?: number } | undefined)?.statusCode,
          owner: a.owner,
          state: a.state,
          escalations: eventsOf('escalated').length,
          trail: a.trail.map((t) => t.action),
        };
      };
      const requestFirst = outcome(false);
      expect(requestFirst).toEqual(outcome(true));
      // The window had run out: the alert moved up once, and the leaf may no longer acknowledge it.
      expect(requestFirst).toEqual({
        refused: 403,
        owner: 'r/a',
        state: 'escalated',
        escalations: 1,
        trail: ['raised', 'escalated'],
      });
    });

    it("lets the new owner acknowledge at the edge: the alert moves up first, then gets that level's fresh window", () => {
      const { svc, clock, eventsOf } = setup();
      svc.onDetection(step('r/a/a1'));
      const id = svc.list(boss)[0]!.id;
      clock.t += 60_000;
      const a = svc.acknowledge(id, councilA);
      expect(a).toMatchObject({ owner: 'r/a', state: 'acknowledged', deadline: clock.t + 600_000 });
      expect(a.trail.map((t) => `${t.action}:${t.fromNode}->${t.toNode}`)).toEqual([
        'raised:r/a/a1->r/a/a1',
        'escalated:r/a/a1->r/a',
        'acknowledged:r/a->r/a',
      ]);
      svc.checkDeadlines();
      expect(eventsOf('escalated')).toHaveLength(1);
    });

    it("keeps an acknowledgement one millisecond before the deadline at the owner's level", () => {
      const { svc, clock } = setup();
      svc.onDetection(step('r/a/a1'));
      const id = svc.list(boss)[0]!.id;
      clock.t += 59_999;
      expect(svc.acknowledge(id, workerA1)).toMatchObject({
        owner: 'r/a/a1',
        state: 'acknowledged',
        deadline: clock.t + 60_000,
      });
      svc.checkDeadlines();
      expect(svc.get(id, boss).owner).toBe('r/a/a1');
    });

    it('records a resolution at the edge after the escalation it could not stop', () => {
      const { svc, clock, eventsOf } = setup();
      svc.onDetection(step('r/a/a1'));
      const id = svc.list(boss)[0]!.id;
      clock.t += 60_000;
      const a = svc.resolve(id, workerA1, 'fixed');
      expect(a.trail.map((t) => t.action)).toEqual(['raised', 'escalated', 'resolved']);
      expect(eventsOf('resolved')).toHaveLength(1);
    });
  });

  it('lets an escalated alert be acknowledged by its new owner, then resolved; refuses a second resolve (409)', () => {
    const { svc, clock } = setup();
    svc.onDetection(step('r/a/a1'));
    const id = svc.list(boss)[0]!.id;
    clock.t += 60_000;
    svc.checkDeadlines();
    expect(() => svc.acknowledge(id, workerA1)).toThrow(expect.objectContaining({ statusCode: 403 }));
    expect(svc.acknowledge(id, councilA).state).toBe('acknowledged');
    expect(svc.resolve(id, councilA).state).toBe('resolved');
    expect(() => svc.resolve(id, boss)).toThrow(expect.objectContaining({ statusCode: 409 }));
    expect(() => svc.acknowledge(id, boss)).toThrow(expect.objectContaining({ statusCode: 409 }));
    expect(svc.comment(id, boss, 'post-mortem on Monday').trail.at(-1)).toMatchObject({
      action: 'commented',
      fromState: 'resolved',
      toState: 'resolved',
    });
  });

  it('records who, when, what and from which level and state to which on every trail entry', () => {
    const { svc, clock } = setup();
    svc.onDetection(step('r/a/a1'));
    const id = svc.list(boss)[0]!.id;
    clock.t += 1000;
    svc.comment(id, councilA, 'looking');
    clock.t += 1000;
    svc.acknowledge(id, workerA1);
    clock.t += 60_000;
    svc.checkDeadlines();
    clock.t += 1000;
    const a = svc.resolve(id, boss, 'done');
    for (const t of a.trail) {
      expect(t).toEqual(
        expect.objectContaining({
          at: expect.any(Number),
          actor: expect.any(String),
          action: expect.any(String),
          fromNode: expect.any(String),
          toNode: expect.any(String),
          toState: expect.any(String),
        }),
      );
    }
    expect(a.trail.map((t) => [t.at - 1_000_000, t.actor, t.action, t.fromState ?? '-', t.toState])).toEqual([
      [0, 'system', 'raised', '-', 'raised'],
      [1000, 'council-a', 'commented', 'raised', 'raised'],
      [2000, 'worker-a1', 'acknowledged', 'raised', 'acknowledged'],
      [62_000, 'system', 'escalated', 'acknowledged', 'escalated'],
      [63_000, 'boss', 'resolved', 'escalated', 'resolved'],
    ]);
  });

  it('records in the trail when newer evidence changes what kind of change the alert is', () => {
    const { svc, clock, eventsOf } = setup();
    svc.onDetection({
      ...step('r/a/a1'),
      output: { score: 0.95, kind: 'transient', probability: 0.6, forecast: null, alert: true, learning: false },
    });
    clock.t += 100; // within updateEveryMs, but the kind changed: announced at once
    svc.onDetection(step('r/a/a1'));
    const a = eventsOf('updated').at(-1)!;
    expect(a.kind).toBe('step');
    expect(a.trail.at(-1)).toMatchObject({
      action: 'updated',
      actor: 'system',
      note: expect.stringMatching(/step.*was transient/),
    });
  });

  it('announces events and statuses for every node the alert passed through', () => {
    const { svc, clock, statuses } = setup();
    svc.onDetection(step('r/a/a1'));
    clock.t += 60_000;
    svc.checkDeadlines();
    expect(
      statuses
        .at(-1)!
        .map((s) => s.node)
        .sort(),
    ).toEqual(['r/a', 'r/a/a1']);
  });

  it('tells the notifier of every event, and keeps working when the notifier throws', () => {
    const told: string[] = [];
    const clock = { t: 1_000_000 };
    const { svc } = kitSetup({
      clock,
      notifier: {
        notify: (e, a) => {
          told.push(`${e}:${a.owner}`);
          throw new Error('hook down');
        },
        close: async () => {},
      },
    });
    svc.onDetection(step('r/a/a1'));
    clock.t += 60_000;
    svc.checkDeadlines();
    expect(told).toEqual(['raised:r/a/a1', 'escalated:r/a']);
    expect(svc.list(boss, { state: 'open' })[0]!.owner).toBe('r/a');
  });
});

describe('AlertService.recordDirectiveAck', () => {
  it("records a device's acknowledgement of a directive in the trail, only from the origin node's device", () => {
    const { svc } = setup();
    svc.onDetection(step('r/a/a1'));
    const id = svc.list(boss)[0]!.id;
    svc.directive(id, boss, 'slow line 2');
    expect(svc.recordDirectiveAck(id, 'a2-dev', 'r/a/a2')).toBe(false);
    expect(svc.recordDirectiveAck('no-such-alert', 'a1-dev', 'r/a/a1')).toBe(false);
    expect(svc.recordDirectiveAck(id, 'a1-dev', 'r/a/a1')).toBe(true);
    expect(svc.get(id, boss).trail.at(-1)).toMatchObject({ actor: 'device:a1-dev', note: 'directive received' });
  });
});

describe("AlertService and Beer's indices", () => {
  it('raises an alert from an index series, saying which, and keeps one alert per node and indicator', () => {
    const { svc, events } = setup();
    svc.onDetection({ ...step('r/a/a1', 0.99, 0.4), series: 'productivity' });
    expect(events).toHaveLength(1);
    const [, alert] = events[0]!;
    expect(alert).toMatchObject({ series: 'productivity', indicator: 'output', value: 0.4 });
    expect(alert.trail[0]!.note).toMatch(/output productivity/);
    // The same trouble seen in the actuality does not raise a second alert, nor overwrite the index value.
    svc.onDetection(step('r/a/a1', 0.99, 500));
    expect(svc.list(boss, { state: 'open' })).toHaveLength(1);
    expect(svc.list(boss, { state: 'open' })[0]!.value).toBe(0.4);
  });
});
