import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { OpsError } from '../errors.js';
import { createServerMetrics } from '../metrics/registry.js';
import { openStateDatabase, type StateDatabase } from '../state/state-db.js';
import { StateWrites } from '../state/state-writes.js';
import { silentLogger } from '../log/logger.js';
import { tinyModel } from '../../test/support/tiny-model.js';
import type { AlertRepository, RepoListFilter } from './alert-repository.js';
import { boss, councilA, setup, step, T0, wideModel, workerA1 } from '../../test/support/alert-test-kit.js';
import { SqliteAlertRepository } from './sqlite-alert-repository.js';
import type { AlertNotifier, NotifyEvent } from './webhook-notifier.js';

// Issue 17 point 3: an alert change is applied only once its save succeeded. A repository that
// fails its next N saves (as SQLite does when the disk is full) stands in for the disk here; the
// real disk-full case runs in server/test/alerts/state-disk-full.test.ts.

/** The real SQLite repository on a state.db, failing its next `n` saves with SQLITE_FULL when told to. */
class FailingRepository implements AlertRepository {
  private failures = 0;
  saves = 0;
  constructor(private readonly inner: AlertRepository) {}
  failNext(n: number): void {
    this.failures = n;
  }
  private maybeFail(): void {
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    }
    this.saves++;
  }
  loadOpen(): Alert[] {
    return this.inner.loadOpen();
  }
  save(alert: Alert): void {
    this.maybeFail();
    this.inner.save(alert);
  }
  saveAll(alerts: readonly Alert[]): void {
    this.maybeFail();
    this.inner.saveAll(alerts);
  }
  get(id: string): Alert | undefined {
    return this.inner.get(id);
  }
  list(filter?: RepoListFilter): Alert[] {
    return this.inner.list(filter);
  }
  close(): void {}
}

const MIN = 60_000;

describe('alert changes whose save fails', () => {
  const opened: Array<{ dir: string; db: StateDatabase }> = [];
  afterEach(() => {
    for (const { dir, db } of opened.splice(0)) {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  function world(over: Parameters<typeof setup>[0] = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-save-failures-'));
    const { db } = openStateDatabase(dir);
    opened.push({ dir, db });
    const repo = new FailingRepository(new SqliteAlertRepository(db));
    const metrics = createServerMetrics();
    const clock = over.clock ?? { t: T0 };
    const writes = new StateWrites({ now: () => clock.t, logger: silentLogger, failures: metrics.stateSaveFailures });
    const k = setup({ grouping: false, metrics, writes, ...over, clock, repo });
    /** What a restarted server would load: the saved state. */
    const saved = (id: string) => new SqliteAlertRepository(db).get(id)!;
    const failures = (operation: string) => metrics.stateSaveFailures.value({ operation });
    return { ...k, repo, metrics, writes, saved, failures };
  }

  const raised = (over: Parameters<typeof setup>[0] = {}) => {
    const w = world(over);
    w.svc.onDetection(step('r/a/a1')); // leaf window 60 s
    const id = w.svc.list(boss)[0]!.id;
    return { ...w, id };
  };

  it('escalates exactly once after the disk recovers, with nothing changed or announced while saves fail', async () => {
    const { svc, clock, id, repo, events, eventsOf, statuses, metrics, writes, saved, failures } = raised();
    const before = svc.get(id, boss);
    const announced = events.length;
    const statusEmits = statuses.length;
    clock.t = T0 + MIN; // the window ran out
    repo.failNext(3);
    for (let i = 0; i < 3; i++) {
      expect(() => svc.checkDeadlines()).not.toThrow(); // a timer: never throws
      clock.t += 1000;
    }
    expect(svc.get(id, boss)).toEqual(before); // still owned by the leaf, same trail
    expect(saved(id)).toEqual(before);
    expect(events).toHaveLength(announced);
    expect(statuses).toHaveLength(statusEmits);
    expect(await metrics.alertsEscalated.value()).toBe(0);
    expect(await failures('deadlines')).toBe(3);
    expect(writes.health()).toEqual({
      ok: false,
      detail: expect.stringMatching(
        /failing since .*\(3 failed, last: deadlines: SQLITE_FULL: database or disk is full\)/,
      ),
    });

    svc.checkDeadlines(); // the disk has room again
    const after = svc.get(id, boss);
    expect(after).toMatchObject({ state: 'escalated', owner: 'r/a', deadline: clock.t + 600_000 });
    expect(after.trail.filter((t) => t.action === 'escalated')).toHaveLength(1);
    expect(saved(id)).toEqual(after);
    expect(eventsOf('escalated').map((a) => a.id)).toEqual([id]);
    expect(await metrics.alertsEscalated.value()).toBe(1);
    expect(writes.health().ok).toBe(true);
    svc.checkDeadlines();
    clock.t += 1000;
    svc.checkDeadlines();
    expect(eventsOf('escalated')).toHaveLength(1);
    expect(svc.get(id, boss).trail.filter((t) => t.action === 'escalated')).toHaveLength(1);
  });

  it.each([
    ['acknowledge', (s: ReturnType<typeof raised>) => s.svc.acknowledge(s.id, workerA1, 'on it')],
    ['shelve', (s: ReturnType<typeof raised>) => s.svc.shelve(s.id, workerA1, 30, 'recalibrating')],
    ['assign', (s: ReturnType<typeof raised>) => s.svc.assign(s.id, councilA, 'worker-a1')],
    ['comment', (s: ReturnType<typeof raised>) => s.svc.comment(s.id, workerA1, 'looking')],
    ['resolve', (s: ReturnType<typeof raised>) => s.svc.resolve(s.id, workerA1, 'fixed')],
  ] as const)(
    'answers %s with 503 and changes nothing when its save fails; the retry works once',
    async (operation, act) => {
      const model = tinyModel();
      model.users.set('worker-a1', { name: 'worker-a1', role: 'council', scope: 'r/a/a1', passwordHash: 'x' });
      const s = raised({ model });
      const before = s.svc.get(s.id, boss);
      const announced = s.events.length;
      s.clock.t = T0 + 10_000;
      s.repo.failNext(1);
      let thrown: unknown;
      try {
        act(s);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(OpsError);
      expect(thrown).toMatchObject({ code: 'OPS_ERR_STATE_UNAVAILABLE', statusCode: 503, retryAfterMs: 5000 });
      expect((thrown as Error).message).toMatch(
        new RegExp(`nothing was changed.*: ${operation} not saved \\(SQLITE_FULL: database or disk is full\\)`),
      );
      expect(s.svc.get(s.id, boss)).toEqual(before);
      expect(s.saved(s.id)).toEqual(before);
      expect(s.svc.list(boss, { state: 'open', shelved: 'include' }).map((a) => a.id)).toEqual([s.id]);
      expect(s.events).toHaveLength(announced);
      expect(await s.failures(operation)).toBe(1);

      const done = act(s); // retried by the caller: applied once
      expect(s.events).toHaveLength(announced + 1);
      expect(s.svc.get(s.id, boss)).toEqual(done);
      expect(s.saved(s.id)).toEqual(done);
      expect(done.trail).toHaveLength(before.trail.length + 1);
    },
  );

  it('keeps a group and its children open when resolving the group cannot be saved', () => {
    const w = world({ model: wideModel(), grouping: { minChildren: 3 } });
    for (const n of ['r/a/a1', 'r/a/a2', 'r/a/a3']) w.svc.onDetection(step(n));
    const group = w.svc.list(boss, { kind: 'group' })[0]!;
    const open = w.svc
      .list(boss, { state: 'open' })
      .map((a) => a.id)
      .sort();
    expect(open).toHaveLength(4);
    w.repo.failNext(1);
    expect(() => w.svc.resolve(group.id, boss)).toThrow(/resolve not saved/);
    expect(
      w.svc
        .list(boss, { state: 'open' })
        .map((a) => a.id)
        .sort(),
    ).toEqual(open);
    expect(w.svc.statuses(['r/a'])[0]!.openAlerts).toBe(1);
    w.svc.resolve(group.id, boss);
    expect(w.svc.list(boss, { state: 'open' })).toEqual([]);
    expect(w.eventsOf('resolved')).toHaveLength(4);
  });

  it('refuses an action when the deadline check before it cannot be saved (the alert should have moved up)', () => {
    const { svc, clock, id, repo, events } = raised();
    clock.t = T0 + MIN; // overdue: the settle before the action escalates it
    repo.failNext(1);
    expect(() => svc.acknowledge(id, boss)).toThrow(
      expect.objectContaining({ code: 'OPS_ERR_STATE_UNAVAILABLE', message: expect.stringMatching(/deadlines not/) }),
    );
    expect(svc.get(id, boss)).toMatchObject({ state: 'raised', owner: 'r/a/a1' });
    const n = events.length;
    const acked = svc.acknowledge(id, boss);
    expect(acked).toMatchObject({ state: 'acknowledged', owner: 'r/a' });
    expect(events.slice(n).map(([e]) => e)).toEqual(['escalated', 'updated']);
  });

  it('raises a detection whose save failed at the next deadline check, once', async () => {
    const w = world();
    w.repo.failNext(1);
    expect(() => w.svc.onDetection(step('r/a/a1'))).not.toThrow();
    expect(w.svc.list(boss)).toEqual([]);
    expect(w.events).toEqual([]);
    expect(await w.metrics.alertsRaised.value({ kind: 'step' })).toBe(0);
    expect(await w.failures('raise')).toBe(1);
    w.clock.t += 1000;
    w.svc.checkDeadlines();
    expect(w.eventsOf('raised')).toHaveLength(1);
    expect(w.svc.list(boss)).toHaveLength(1);
    expect(w.svc.list(boss)[0]).toMatchObject({ node: 'r/a/a1', raisedAt: T0 + 1000 });
    w.svc.checkDeadlines();
    expect(w.eventsOf('raised')).toHaveLength(1);
    expect(await w.metrics.alertsRaised.value({ kind: 'step' })).toBe(1);
  });

  it('raises a dropout whose save failed at the next deadline check (the silence watch reports it only once)', () => {
    const w = world();
    w.repo.failNext(2);
    w.svc.raiseSilence('r/a/a1', 'output', 'd1', T0 - 60_000, 60_000);
    w.clock.t += 1000;
    w.svc.checkDeadlines(); // fails again: still waiting
    expect(w.events).toEqual([]);
    w.clock.t += 1000;
    w.svc.checkDeadlines();
    expect(w.eventsOf('raised').map((a) => [a.kind, a.node, a.since])).toEqual([['dropout', 'r/a/a1', T0 - 60_000]]);
  });

  it('ends an expired shelf once its save succeeds, and sends a reminder only once it is saved', async () => {
    const model = tinyModel();
    model.nodes.get('r/a/a1')!.notify = { webhook: 'https://hooks.example/x', secretEnv: 'X', remindEverySec: 600 };
    model.nodes.get('r/a/a1')!.correctionWindowSec = 7200;
    const sent: Array<{ event: NotifyEvent; alert: Alert }> = [];
    const notifier: AlertNotifier = {
      notify: (event, alert) => void sent.push({ event, alert }),
      close: async () => {},
    };
    const s = raised({ model, notifier });
    s.svc.shelve(s.id, boss, 5);
    s.clock.t = T0 + 5 * MIN;
    s.repo.failNext(2); // the shelf expiry, then again
    s.svc.checkDeadlines();
    s.svc.checkDeadlines();
    expect(s.svc.get(s.id, boss).shelved).toBeDefined();
    expect(await s.failures('deadlines')).toBe(2);
    s.svc.checkDeadlines();
    expect(s.svc.get(s.id, boss).shelved).toBeUndefined();
    expect(s.svc.get(s.id, boss).trail.filter((t) => t.action === 'unshelved')).toHaveLength(1);

    s.clock.t = T0 + 15 * MIN; // owned since T0, every 10 min: a reminder is due
    s.repo.failNext(1);
    s.svc.checkDeadlines();
    expect(sent.filter((x) => x.event === 'reminder')).toHaveLength(0);
    expect(await s.failures('reminders')).toBe(1);
    s.svc.checkDeadlines();
    const reminders = sent.filter((x) => x.event === 'reminder').map((x) => x.alert.reminders);
    expect(reminders).toEqual([{ count: 1, lastAt: T0 + 15 * MIN }]);
    expect(s.saved(s.id).reminders).toEqual({ count: 1, lastAt: T0 + 15 * MIN });
  });
});
