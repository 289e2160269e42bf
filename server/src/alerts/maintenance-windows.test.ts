import { describe, expect, it } from '@jest/globals';
import type { MaintenanceWindow } from '@opsroom/models';
import { tinyModel } from '../../test/support/tiny-model.js';
import { MemoryMaintenanceRepository } from './maintenance-repository.js';
import { MaintenanceWindows } from './maintenance-windows.js';
import { boss, councilA, councilB, setup, step, T0, workerA1 } from '../../test/support/alert-test-kit.js';

// Issue 15 point 3 on an injected clock: a window on a node's subtree (optionally some
// indicators) stops alerts being raised there, marks alerts already open there, ends by itself or
// early, and survives a restart (a new MaintenanceWindows on the same repository).
const MIN = 60_000;
const model = tinyModel([
  { id: 'output', name: 'Output', unit: 'u', rollup: 'sum' },
  { id: 'energy', name: 'Energy', unit: 'kWh', rollup: 'sum' },
]);

function world() {
  const clock = { t: T0 };
  const repo = new MemoryMaintenanceRepository();
  const windows = new MaintenanceWindows({ repo, now: () => clock.t, model: () => model });
  const k = setup({ clock, model, grouping: false, maintenance: windows });
  return { ...k, windows, repo };
}

describe('maintenance windows', () => {
  it('raises nothing in the window on the node and its subtree, and raises again after it ends', () => {
    const { svc, clock, windows, eventsOf } = world();
    windows.create(councilA, { node: 'r/a', start: T0 + MIN, end: T0 + 11 * MIN, reason: 'line overhaul' });
    clock.t = T0 + MIN - 1; // not yet started
    svc.onDetection(step('r/a/a1'));
    expect(eventsOf('raised').map((a) => a.node)).toEqual(['r/a/a1']);
    clock.t = T0 + MIN; // started (the window is [start, end))
    svc.onDetection(step('r/a/a2'));
    svc.onDetection(step('r/a'));
    svc.onDetection(step('r/b/b1')); // outside the window
    svc.raiseSilence('r/a/a2', 'energy', 'a2-dev', T0, 60_000);
    expect(eventsOf('raised').map((a) => a.node)).toEqual(['r/a/a1', 'r/b/b1']);
    clock.t = T0 + 11 * MIN; // ended
    svc.onDetection(step('r/a/a2'));
    expect(eventsOf('raised').map((a) => a.node)).toEqual(['r/a/a1', 'r/b/b1', 'r/a/a2']);
  });

  it('covers only the indicators it names', () => {
    const { svc, windows, eventsOf } = world();
    windows.create(councilA, { node: 'r/a/a1', indicators: ['energy'], end: T0 + 10 * MIN, reason: 'meter swap' });
    svc.onDetection(step('r/a/a1', 0.95, 500, 'energy'));
    svc.onDetection(step('r/a/a1', 0.95, 500, 'output'));
    expect(eventsOf('raised').map((a) => a.indicator)).toEqual(['output']);
  });

  it('marks alerts already open in a window, and unmarks them when it ends or is ended early', () => {
    const { svc, clock, windows } = world();
    svc.onDetection(step('r/a/a1'));
    svc.onDetection(step('r/b/b1'));
    const [a1, b1] = ['r/a/a1', 'r/b/b1'].map((n) => svc.list(boss).find((a) => a.node === n)!.id);
    const w = windows.create(boss, { node: 'r/a', end: T0 + 5 * MIN, reason: 'overhaul' });
    svc.checkDeadlines(); // the route does this at once
    expect(svc.get(a1!, boss).maintenance).toEqual({ window: w.id, until: T0 + 5 * MIN, reason: 'overhaul' });
    expect(svc.get(a1!, boss).trail.at(-1)!.note).toMatch(/^under maintenance window .* on r\/a until .*: overhaul$/);
    expect(svc.get(b1!, boss).maintenance).toBeUndefined();
    clock.t = T0 + 5 * MIN;
    svc.checkDeadlines();
    expect(svc.get(a1!, boss).maintenance).toBeUndefined();
    expect(svc.get(a1!, boss).trail.at(-1)!.note).toBe(`maintenance window ${w.id} ended`);

    const w2 = windows.create(councilA, { node: 'r/a/a1', end: T0 + 60 * MIN, reason: 'again' });
    svc.checkDeadlines();
    expect(svc.get(a1!, boss).maintenance?.window).toBe(w2.id);
    clock.t += MIN;
    expect(windows.cancel(councilA, w2.id)).toMatchObject({ cancelledBy: 'council-a', cancelledAt: clock.t });
    svc.checkDeadlines();
    expect(svc.get(a1!, boss).maintenance).toBeUndefined();
  });

  it('lists what the caller may see: windows in its scope and on its ancestors, never a sibling subtree', () => {
    const { windows, clock } = world();
    const onRoot = windows.create(boss, { node: 'r', end: T0 + 10 * MIN, reason: 'site power' });
    const onA = windows.create(councilA, { node: 'r/a/a1', end: T0 + 10 * MIN, reason: 'a1' });
    const onB = windows.create(councilB, { node: 'r/b', start: T0 + 5 * MIN, end: T0 + 20 * MIN, reason: 'b' });
    const ids = (xs: Array<{ id: string }>) => xs.map((x) => x.id);
    expect(ids(windows.list(boss))).toEqual([onRoot.id, onA.id, onB.id]);
    expect(ids(windows.list(councilA))).toEqual([onRoot.id, onA.id]);
    expect(ids(windows.list(councilB))).toEqual([onRoot.id, onB.id]);
    expect(ids(windows.list(boss, { node: 'r/a' }))).toEqual([onRoot.id, onA.id]);
    expect(windows.list(councilA, { node: 'r/b' })).toEqual([]); // outside scope: as for no such node
    clock.t = T0 + 10 * MIN; // two ended
    expect(ids(windows.list(boss))).toEqual([onB.id]);
    expect(ids(windows.list(boss, { ended: true }))).toEqual([onRoot.id, onA.id, onB.id]);
  });

  it('refuses a node outside scope (404), a bad window (400, saying why) and ending one it may not (404 / 403 / 409)', () => {
    const { windows, clock } = world();
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return `${(e as { statusCode: number }).statusCode} ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(err(() => windows.create(councilB, { node: 'r/a', end: T0 + MIN, reason: 'x' }))).toMatch(/^404/);
    expect(err(() => windows.create(boss, { node: 'r/nowhere', end: T0 + MIN, reason: 'x' }))).toMatch(/^404/);
    expect(err(() => windows.create(boss, { node: 'r/a', start: T0 + 2 * MIN, end: T0 + MIN, reason: 'x' }))).toMatch(
      /^400 .*end .* must be after start/,
    );
    expect(err(() => windows.create(boss, { node: 'r/a', start: T0 - 2 * MIN, end: T0 - MIN, reason: 'x' }))).toMatch(
      /^400 .*already past/,
    );
    expect(err(() => windows.create(boss, { node: 'r/a', end: T0 + 40 * 86_400_000, reason: 'x' }))).toMatch(
      /^400 .*a window may last at most 31 days/,
    );
    expect(
      err(() => windows.create(boss, { node: 'r/a', indicators: ['outptu'], end: T0 + MIN, reason: 'x' })),
    ).toMatch(/^400 .*"outptu" is not an indicator; did you mean "output"/);
    expect(err(() => windows.create(boss, { node: 'r/a', end: T0 + MIN, reason: '  ' }))).toMatch(
      /^400 .*reason is required/,
    );
    const onRoot = windows.create(boss, { node: 'r', end: T0 + 10 * MIN, reason: 'site power' });
    const onA = windows.create(councilA, { node: 'r/a', end: T0 + 10 * MIN, reason: 'a' });
    expect(err(() => windows.cancel(councilB, onA.id))).toMatch(/^404/);
    expect(err(() => windows.cancel(councilB, 'no-such-window'))).toMatch(/^404/);
    expect(err(() => windows.cancel(workerA1, onRoot.id))).toMatch(/^403 .*the window is on r;/);
    clock.t = T0 + 10 * MIN;
    expect(err(() => windows.cancel(councilA, onA.id))).toMatch(/^409 .*the window already ended/);
  });

  it('survives a restart: a new service on the same repository has the windows, cancellations included', () => {
    const { windows, repo, clock } = world();
    const kept = windows.create(boss, { node: 'r/a', end: T0 + 10 * MIN, reason: 'kept' });
    const ended = windows.create(boss, { node: 'r/b', end: T0 + 10 * MIN, reason: 'ended' });
    windows.cancel(boss, ended.id);
    const again = new MaintenanceWindows({ repo, now: () => clock.t, model: () => model });
    expect(again.list(boss).map((w) => w.id)).toEqual([kept.id]);
    expect(again.covering('r/a/a2', 'output', clock.t)?.id).toBe(kept.id);
    expect(again.covering('r/b/b1', 'output', clock.t)).toBeUndefined();
  });
  it('leaves a window as it was when its cancellation cannot be saved', () => {
    const repo = new MemoryMaintenanceRepository();
    let full = false;
    const failing = {
      loadSince: (since: number) => repo.loadSince(since),
      save: (w: MaintenanceWindow) => {
        if (full) throw new Error('database or disk is full');
        repo.save(w);
      },
    };
    const windows = new MaintenanceWindows({ repo: failing, now: () => T0, model: () => model });
    const w = windows.create(councilA, { node: 'r/a', end: T0 + 10 * MIN, reason: 'overhaul' });
    full = true;
    expect(() => windows.cancel(councilA, w.id)).toThrow('database or disk is full');
    expect(windows.list(councilA)).toEqual([w]);
    expect(windows.covering('r/a/a1', 'output', T0)).toEqual(w);
    expect(repo.loadSince(0)).toEqual([w]);
    full = false;
    expect(windows.cancel(councilA, w.id)).toMatchObject({ cancelledAt: T0, cancelledBy: 'council-a' });
    expect(windows.covering('r/a/a1', 'output', T0)).toBeUndefined();
  });
});
