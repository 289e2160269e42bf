import { describe, expect, it } from '@jest/globals';
import { tinyModel } from '../../test/support/tiny-model.js';
import { MemoryAlertRepository } from './alert-repository.js';
import { boss, councilA, councilB, setup, step, T0, workerA1 } from '../../test/support/alert-test-kit.js';

// Issue 15 point 2 on an injected clock: shelving hides an alert from the active list for a
// bounded time, pauses its correction window and resumes it; expiry unshelves by itself, also
// across a restart (a new service on the same repository).
const MIN = 60_000;

describe('shelving an alert', () => {
  const raised = (over: Parameters<typeof setup>[0] = {}) => {
    const k = setup({ grouping: false, ...over });
    k.svc.onDetection(step('r/a/a1')); // window 60 s at the leaf, deadline T0 + 60 s
    const id = k.svc.list(boss)[0]!.id;
    return { ...k, id };
  };

  it('hides it from the active list, pauses its window, and resumes what was left when unshelved', () => {
    const { svc, clock, id, eventsOf } = raised();
    clock.t = T0 + 20_000; // 40 s of the window left
    const shelved = svc.shelve(id, workerA1, 30, 'sensor being recalibrated');
    expect(shelved.shelved).toEqual({
      by: 'worker-a1',
      at: T0 + 20_000,
      until: T0 + 20_000 + 30 * MIN,
      note: 'sensor being recalibrated',
      remainingMs: 40_000,
    });
    expect(shelved.deadline).toBeNull();
    expect(shelved.trail.at(-1)).toMatchObject({
      action: 'shelved',
      actor: 'worker-a1',
      fromState: 'raised',
      toState: 'raised',
    });
    expect(shelved.trail.at(-1)!.note).toMatch(/^until .*: sensor being recalibrated$/);
    expect(eventsOf('updated').at(-1)!.shelved).toBeDefined();
    expect(svc.list(boss, { state: 'open' })).toEqual([]); // off the active list
    expect(svc.list(boss, { state: 'open', shelved: 'only' }).map((a) => a.id)).toEqual([id]);
    expect(svc.list(boss).map((a) => a.id)).toEqual([id]); // the full list still has it
    expect(svc.statuses(['r/a/a1'])[0]).toMatchObject({ state: 'normal', openAlerts: 0 });

    clock.t = T0 + 10 * MIN; // long past the original deadline: paused, so nothing escalates
    svc.checkDeadlines();
    expect(svc.get(id, boss)).toMatchObject({ owner: 'r/a/a1', state: 'raised' });

    const back = svc.unshelve(id, councilA, 'recalibrated');
    expect(back.shelved).toBeUndefined();
    expect(back.deadline).toBe(T0 + 10 * MIN + 40_000);
    expect(back.trail.at(-1)).toMatchObject({ action: 'unshelved', actor: 'council-a', note: 'recalibrated' });
    expect(svc.list(boss, { state: 'open' }).map((a) => a.id)).toEqual([id]);
    clock.t = T0 + 10 * MIN + 40_000;
    svc.checkDeadlines();
    expect(svc.get(id, boss)).toMatchObject({ owner: 'r/a', state: 'escalated' });
  });

  it('unshelves by itself when the shelf expires, exactly at its end, and the window resumes then', () => {
    const { svc, clock, id } = raised();
    svc.shelve(id, boss, 5, 'known');
    clock.t = T0 + 5 * MIN - 1;
    svc.checkDeadlines();
    expect(svc.get(id, boss).shelved).toBeDefined();
    clock.t = T0 + 5 * MIN;
    svc.checkDeadlines();
    const a = svc.get(id, boss);
    expect(a.shelved).toBeUndefined();
    expect(a.deadline).toBe(T0 + 5 * MIN + 60_000);
    expect(a.trail.at(-1)).toMatchObject({ action: 'unshelved', actor: 'system' });
    expect(a.trail.at(-1)!.note).toMatch(/^shelf expired \(set by boss until /);
  });

  it('expires a shelf that ran out while the server was down, at start-up, and escalates nothing twice', () => {
    const repo = new MemoryAlertRepository();
    const clock = { t: T0 };
    const first = raised({ repo, clock });
    first.svc.shelve(first.id, boss, 5, 'known');
    clock.t = T0 + 2 * 3600_000; // down for two hours
    const second = setup({ repo, clock, grouping: false });
    second.svc.checkDeadlines(); // what start.ts does before serving
    const a = second.svc.get(first.id, boss);
    expect(a.shelved).toBeUndefined();
    expect(a).toMatchObject({ owner: 'r/a/a1', state: 'raised', deadline: T0 + 2 * 3600_000 + 60_000 });
    expect(a.trail.filter((t) => t.action === 'unshelved')).toHaveLength(1);
    expect(a.trail.filter((t) => t.action === 'escalated')).toHaveLength(0);
  });

  it("refuses longer than the owner level's max_shelve (8 h by default) with a clear 400", () => {
    const m = tinyModel();
    m.nodes.get('r/a/a1')!.maxShelveSec = 600;
    const { svc, id } = raised({ model: m });
    expect(() => svc.shelve(id, boss, 11, 'x')).toThrow(
      expect.objectContaining({
        statusCode: 400,
        message: expect.stringMatching(/at most 10 minutes .*max_shelve.* asked for 11/),
      }),
    );
    expect(svc.shelve(id, boss, 10, 'x').shelved).toBeDefined();
    const other = raised();
    expect(() => other.svc.shelve(other.id, boss, 8 * 60 + 1, 'x')).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
    expect(() => other.svc.shelve(other.id, boss, 0, 'x')).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(other.svc.shelve(other.id, boss, 8 * 60, 'x').shelved!.until).toBe(T0 + 8 * 3600_000);
  });

  it('answers 404 outside scope, 403 below the owner, and 409 when already shelved, not shelved, or resolved', () => {
    const { svc, clock, id } = raised();
    expect(() => svc.shelve(id, councilB, 5, 'x')).toThrow(expect.objectContaining({ statusCode: 404 }));
    expect(() => svc.unshelve(id, boss)).toThrow(expect.objectContaining({ statusCode: 409 }));
    svc.shelve(id, boss, 5, 'x');
    expect(() => svc.shelve(id, boss, 5, 'again')).toThrow(
      expect.objectContaining({ statusCode: 409, message: expect.stringMatching(/already shelved until/) }),
    );
    svc.unshelve(id, boss);
    clock.t += 60_000; // escalated to r/a: the workshop no longer owns it
    svc.checkDeadlines();
    expect(() => svc.shelve(id, workerA1, 5, 'x')).toThrow(expect.objectContaining({ statusCode: 403 }));
    svc.resolve(id, councilA);
    expect(() => svc.shelve(id, councilA, 5, 'x')).toThrow(expect.objectContaining({ statusCode: 409 }));
  });

  it('acknowledging while shelved gives the fresh window to the resume; resolving ends the shelf', () => {
    const { svc, clock, id } = raised();
    clock.t = T0 + 50_000;
    svc.shelve(id, boss, 5, 'x');
    expect(svc.get(id, boss).shelved!.remainingMs).toBe(10_000);
    const acked = svc.acknowledge(id, workerA1);
    expect(acked).toMatchObject({ state: 'acknowledged', deadline: null });
    expect(acked.shelved!.remainingMs).toBe(60_000);
    clock.t = T0 + 60 * MIN;
    svc.checkDeadlines(); // expired: a fresh 60 s from now
    expect(svc.get(id, boss).deadline).toBe(T0 + 60 * MIN + 60_000);
    svc.shelve(id, boss, 5, 'again');
    const resolved = svc.resolve(id, boss);
    expect(resolved.shelved).toBeUndefined();
    expect(resolved.state).toBe('resolved');
  });
});
