import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Alert, NodeStatus } from '@opsroom/models';
import { silentLogger } from '../log/logger.js';
import { createServerMetrics } from '../metrics/registry.js';
import { openDatabase } from '../store/sqlite-db.js';
import { tinyModel } from '../testing/tiny-model.js';
import type { Detection } from '../vsm/live-model.js';
import { MemoryAlertRepository, type AlertRepository } from './alert-repository.js';
import { AlertService, type AlertEvent } from './alert-service.js';
import { SqliteAlertRepository } from './sqlite-alert-repository.js';

const boss = { name: 'boss', role: 'planner', scope: 'r' };
const councilA = { name: 'council-a', role: 'council', scope: 'r/a' };
const councilB = { name: 'council-b', role: 'council', scope: 'r/b' };

function setup(repo: AlertRepository = new MemoryAlertRepository(), clock = { t: 1_000_000 }) {
  const events: Array<[AlertEvent, Alert]> = [];
  const statuses: NodeStatus[][] = [];
  const directives: string[] = [];
  const svc = new AlertService({
    model: tinyModel(),
    repo,
    now: () => clock.t,
    scoreThreshold: 0.9,
    logger: silentLogger,
    metrics: createServerMetrics(),
    onEvent: (e, a) => events.push([e, a]),
    onStatus: (s) => statuses.push(s),
    onDirective: (node, _a, _actor, note) => directives.push(`${node}:${note}`),
  });
  return { svc, events, statuses, directives, clock, repo };
}

const step = (node: string, score = 0.95, value = 500): Detection => ({
  node,
  indicator: 'output',
  ts: 0,
  value,
  output: { score, kind: 'step', probability: 0.97, forecast: { mean: 10, lower: 5, upper: 15 } },
});

describe('AlertService', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('raises an alert owned by the node where the anomaly was seen, with that level\'s window', () => {
    const { svc, events } = setup();
    svc.onDetection(step('r/a/a1'));
    expect(events).toHaveLength(1);
    const [event, alert] = events[0]!;
    expect(event).toBe('raised');
    expect(alert).toMatchObject({ node: 'r/a/a1', owner: 'r/a/a1', path: ['r/a/a1'], kind: 'step', state: 'raised', deadline: 1_000_000 + 60_000 });
  });

  it('ignores outputs below the threshold or of kind none', () => {
    const { svc, events } = setup();
    svc.onDetection(step('r/a/a1', 0.5));
    svc.onDetection({ ...step('r/a/a1'), output: { score: 1, kind: 'none', probability: 1, forecast: null } });
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

  it('escalates one level up when the window runs out, with the parent\'s window, up to the root', () => {
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

  it('hides alerts outside the caller\'s scope as not found', () => {
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
    const db1 = openDatabase(dir);
    const first = setup(new SqliteAlertRepository(db1), clock);
    first.svc.onDetection(step('r/a/a1'));
    const id = first.svc.list(boss)[0]!.id;
    db1.close();

    clock.t += 120_000; // the server was down past the deadline
    const db2 = openDatabase(dir);
    const second = setup(new SqliteAlertRepository(db2), clock);
    second.svc.checkDeadlines();
    second.svc.checkDeadlines();
    const a = second.svc.get(id, boss);
    expect(a.owner).toBe('r/a');
    expect(a.trail.filter((t) => t.action === 'escalated')).toHaveLength(1);
    expect(second.events.filter(([e]) => e === 'escalated')).toHaveLength(1);
    db2.close();
  });
});
