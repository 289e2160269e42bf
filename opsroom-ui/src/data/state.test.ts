import { describe, expect, it, jest } from '@jest/globals';
import { alert, modelOf, update, VALLE } from '../test-support/fixtures.js';
import {
  alertsUnder,
  createStore,
  EMPTY_STATE,
  MAX_RESOLVED_KEPT,
  nextDeadline,
  nodeState,
  reduce,
  topPriority,
  valueKey,
  type RoomAction,
  type RoomState,
} from './state.js';

const run = (...actions: RoomAction[]): RoomState => actions.reduce(reduce, EMPTY_STATE);
const loaded = (...actions: RoomAction[]) => run({ type: 'model', model: VALLE }, ...actions);

describe('reduce: model and focus', () => {
  it('focuses the scope when a model loads without a focus', () => {
    expect(loaded().focus).toBe('valle');
  });

  it('keeps a focus asked for before the model (a deep link) when the model has that node', () => {
    const s = run({ type: 'focus', path: 'valle/norte' }, { type: 'model', model: VALLE });
    expect(s.focus).toBe('valle/norte');
  });

  it('falls back to the scope when the focus names a node outside the model', () => {
    const s = run({ type: 'focus', path: 'valle/sur/otro' }, { type: 'model', model: VALLE });
    expect(s.focus).toBe('valle');
    expect(reduce(s, { type: 'focus', path: 'elsewhere' }).focus).toBe('valle');
  });

  it('indexes the nodes by path and picks the first indicator for the chart', () => {
    const s = loaded();
    expect(s.nodes.get('valle/norte/lana')?.children).toEqual([
      'valle/norte/lana/taller-1',
      'valle/norte/lana/taller-2',
    ]);
    expect(s.indicator).toBe('output');
  });

  it('selects another indicator of the model, and ignores an unknown one', () => {
    const s = reduce(loaded(), { type: 'indicator', id: 'energy' });
    expect(s.indicator).toBe('energy');
    expect(reduce(s, { type: 'indicator', id: 'nope' })).toBe(s);
  });

  it('resets the cursor when the focus moves, and accepts only a child of the focus as cursor', () => {
    let s = reduce(loaded(), { type: 'cursor', path: 'valle/sur' });
    expect(s.cursor).toBe('valle/sur');
    expect(reduce(s, { type: 'cursor', path: 'valle/norte/lana' }).cursor).toBeNull();
    s = reduce(s, { type: 'focus', path: 'valle/norte' });
    expect(s.cursor).toBeNull();
  });

  it('returns the same state for a focus that changes nothing, so nobody re-renders', () => {
    const s = loaded();
    expect(reduce(s, { type: 'focus', path: 'valle' })).toBe(s);
  });

  it('forgets everything on logout', () => {
    const s = loaded({ type: 'session', user: { name: 'p', role: 'planner', scope: 'valle' } });
    expect(reduce(s, { type: 'logout' })).toBe(EMPTY_STATE);
  });
});

describe('reduce: indicator updates', () => {
  it('stores the latest value per node and indicator', () => {
    const s = loaded({
      type: 'indicators',
      updates: [update('valle', 'output', 10, 5), update('valle', 'energy', 10, 7)],
    });
    expect(s.latest.get(valueKey('valle', 'output'))?.value).toBe(5);
    expect(s.latest.get(valueKey('valle', 'energy'))?.value).toBe(7);
  });

  it('ignores an update older than the one held (a snapshot racing a live batch)', () => {
    const s = loaded(
      { type: 'indicators', updates: [update('valle', 'output', 20, 9)] },
      { type: 'indicators', updates: [update('valle', 'output', 10, 1)] },
    );
    expect(s.latest.get(valueKey('valle', 'output'))?.value).toBe(9);
  });

  it('ignores updates for nodes outside the loaded model', () => {
    const before = loaded();
    expect(reduce(before, { type: 'indicators', updates: [update('other', 'output', 1, 1)] })).toBe(before);
  });

  it('keeps untouched parts of the state by reference', () => {
    const before = loaded({ type: 'alerts:replace', alerts: [alert('a1')] });
    const after = reduce(before, { type: 'indicators', updates: [update('valle', 'output', 1, 1)] });
    expect(after.alerts).toBe(before.alerts);
    expect(after.latest).not.toBe(before.latest);
  });

  it('drops values of nodes that a newer model no longer has', () => {
    const s = loaded(
      { type: 'indicators', updates: [update('valle/sur', 'output', 1, 1)] },
      { type: 'model', model: modelOf({ valle: ['valle/norte'] }) },
    );
    expect(s.latest.has(valueKey('valle/sur', 'output'))).toBe(false);
  });
});

describe('reduce: alerts', () => {
  it('upserts an alert by id, keeping the newer copy', () => {
    const s = loaded(
      { type: 'alert', alert: alert('a1', { updatedAt: 5, state: 'acknowledged' }) },
      { type: 'alert', alert: alert('a1', { updatedAt: 2, state: 'raised' }) },
    );
    expect(s.alerts.get('a1')?.state).toBe('acknowledged');
  });

  it('replaces the open alerts on refetch but keeps recently resolved ones and forgets stale statuses', () => {
    const s = loaded(
      { type: 'alert', alert: alert('gone', { state: 'resolved', deadline: null }) },
      { type: 'alert', alert: alert('old-open') },
      { type: 'statuses', statuses: [{ node: 'valle', state: 'crisis', openAlerts: 1, nextDeadline: null }] },
      { type: 'alerts:replace', alerts: [alert('new-open')] },
    );
    expect([...s.alerts.keys()].sort()).toEqual(['gone', 'new-open']);
    expect(s.statuses.size).toBe(0);
  });

  it(`keeps at most ${MAX_RESOLVED_KEPT} resolved alerts, the newest`, () => {
    let s = loaded();
    for (let i = 0; i < MAX_RESOLVED_KEPT + 5; i++)
      s = reduce(s, { type: 'alert', alert: alert(`r${i}`, { state: 'resolved', updatedAt: i, deadline: null }) });
    expect(s.alerts.size).toBe(MAX_RESOLVED_KEPT);
    expect(s.alerts.has('r0')).toBe(false);
    expect(s.alerts.has(`r${MAX_RESOLVED_KEPT + 4}`)).toBe(true);
  });

  it('lists the alerts owned at or under a node', () => {
    const s = loaded({
      type: 'alerts:replace',
      alerts: [
        alert('a', { owner: 'valle/norte/lana' }),
        alert('b', { owner: 'valle/sur' }),
        alert('c', { owner: 'valle' }),
      ],
    });
    expect(alertsUnder(s, 'valle/norte').map((a) => a.id)).toEqual(['a']);
    expect(
      alertsUnder(s, 'valle')
        .map((a) => a.id)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
  });
});

describe('nodeState and nextDeadline', () => {
  const lana = 'valle/norte/lana';

  it('is normal without alerts or statuses', () => {
    expect(nodeState(loaded(), lana, 0)).toBe('normal');
    expect(nextDeadline(loaded(), lana)).toBeNull();
  });

  it('is alert while an open alert it owns is within its deadline, crisis once past it', () => {
    const s = loaded({
      type: 'alerts:replace',
      alerts: [alert('a', { owner: lana, deadline: 50_000 }), alert('b', { owner: lana, deadline: 30_000 })],
    });
    expect(nodeState(s, lana, 10_000)).toBe('alert');
    expect(nextDeadline(s, lana)).toBe(30_000);
    expect(nodeState(s, lana, 30_001)).toBe('crisis');
  });

  it('is crisis when an alert escalated to it', () => {
    const s = loaded({
      type: 'alerts:replace',
      alerts: [alert('a', { owner: 'valle/norte', state: 'escalated', deadline: 99_000 })],
    });
    expect(nodeState(s, 'valle/norte', 0)).toBe('crisis');
  });

  it('ignores shelved alerts (off the active list, as the server counts them)', () => {
    const s = loaded({
      type: 'alert',
      alert: alert('a', {
        owner: lana,
        state: 'escalated',
        deadline: null,
        shelved: { by: 'x', at: 0, until: 9, remainingMs: 5 },
      }),
    });
    expect(nodeState(s, lana, 0)).toBe('normal');
  });

  it('gives the highest priority among the active alerts a node owns, none when shelved or resolved', () => {
    const shelf = { by: 'x', at: 0, until: 9, remainingMs: 5 };
    const s = loaded({
      type: 'alerts:replace',
      alerts: [
        alert('a', { owner: lana, priority: 'high' }),
        alert('b', { owner: lana }),
        alert('c', { owner: lana, priority: 'critical', shelved: shelf }),
        alert('d', { owner: 'valle/norte', priority: 'critical', shelved: shelf }),
      ],
    });
    expect(topPriority(s, lana)).toBe('high');
    expect(topPriority(s, 'valle/norte')).toBeNull();
    expect(topPriority(s, 'valle')).toBeNull();
  });

  it('ignores resolved alerts', () => {
    const s = loaded({ type: 'alert', alert: alert('a', { owner: lana, state: 'resolved', deadline: null }) });
    expect(nodeState(s, lana, 0)).toBe('normal');
  });

  it("prefers the server's node status when one arrived", () => {
    const s = loaded(
      { type: 'alerts:replace', alerts: [alert('a', { owner: lana })] },
      { type: 'statuses', statuses: [{ node: lana, state: 'normal', openAlerts: 0, nextDeadline: 123 }] },
    );
    expect(nodeState(s, lana, 0)).toBe('normal');
    expect(nextDeadline(s, lana)).toBe(123);
  });
});

describe('createStore', () => {
  it('notifies subscribers with the next and previous state after a change, and not after a no-op', () => {
    const store = createStore();
    const fn = jest.fn();
    const off = store.subscribe(fn);
    store.dispatch({ type: 'model', model: VALLE });
    expect(fn).toHaveBeenCalledTimes(1);
    expect((fn.mock.calls[0] as [RoomState, RoomState])[1]).toBe(EMPTY_STATE);
    store.dispatch({ type: 'focus', path: 'valle' });
    expect(fn).toHaveBeenCalledTimes(1);
    off();
    store.dispatch({ type: 'focus', path: 'valle/sur' });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(store.get().focus).toBe('valle/sur');
  });
});
