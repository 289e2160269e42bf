import { describe, expect, it } from '@jest/globals';
import { ALERT_STATES, type Alert, type AlertState } from '@opsroom/models';
import {
  acknowledgeAlert,
  assertMay,
  assignAlert,
  canApply,
  escalateAlert,
  isOverdue,
  joinGroup,
  nextState,
  raiseAlert,
  resolveAlert,
  shelveAlert,
  type AlertAction,
} from './alert-lifecycle.js';

const T = 1_000_000;
const fresh = (over: Partial<Alert> = {}): Alert => ({
  ...raiseAlert(
    {
      id: 'x',
      node: 'r/a/a1',
      indicator: 'output',
      kind: 'step',
      probability: 0.9,
      score: 0.99,
      value: 1,
      raisedAt: T,
    },
    60_000,
    'step',
  ),
  ...over,
});

describe('the alert state machine', () => {
  const table: Record<AlertState, Record<AlertAction, AlertState | undefined>> = {
    raised: {
      acknowledge: 'acknowledged',
      resolve: 'resolved',
      escalate: 'escalated',
      comment: 'raised',
      directive: 'raised',
      group: 'raised',
      shelve: 'raised',
      unshelve: 'raised',
      reopen: undefined,
      assign: 'raised',
    },
    acknowledged: {
      acknowledge: undefined,
      resolve: 'resolved',
      escalate: 'escalated',
      comment: 'acknowledged',
      directive: 'acknowledged',
      group: 'acknowledged',
      shelve: 'acknowledged',
      unshelve: 'acknowledged',
      reopen: undefined,
      assign: 'acknowledged',
    },
    escalated: {
      acknowledge: 'acknowledged',
      resolve: 'resolved',
      escalate: 'escalated',
      comment: 'escalated',
      directive: 'escalated',
      group: 'escalated',
      shelve: 'escalated',
      unshelve: 'escalated',
      reopen: undefined,
      assign: 'escalated',
    },
    resolved: {
      acknowledge: undefined,
      resolve: undefined,
      escalate: undefined,
      comment: 'resolved',
      directive: undefined,
      group: undefined,
      shelve: undefined,
      unshelve: undefined,
      reopen: 'raised',
      assign: undefined,
    },
  };
  for (const from of ALERT_STATES) {
    for (const [action, to] of Object.entries(table[from]) as Array<[AlertAction, AlertState | undefined]>) {
      it(`${to ? `moves ${from} to ${to}` : `refuses`} on ${action}${to ? '' : ` when ${from}`}`, () => {
        expect(nextState(from, action)).toBe(to);
        expect(canApply(from, action)).toBe(to !== undefined);
      });
    }
  }

  it('starts raised, owned by the origin node, with its window, and records it', () => {
    const a = fresh();
    expect(a).toMatchObject({ state: 'raised', owner: 'r/a/a1', path: ['r/a/a1'], deadline: T + 60_000, updatedAt: T });
    expect(a.trail).toEqual([
      {
        at: T,
        actor: 'system',
        action: 'raised',
        fromNode: 'r/a/a1',
        toNode: 'r/a/a1',
        toState: 'raised',
        note: 'step',
      },
    ]);
  });

  it('treats the deadline itself as overdue (the window is half-open) and never a resolved alert', () => {
    const a = fresh();
    expect(isOverdue(a, T + 59_999)).toBe(false);
    expect(isOverdue(a, T + 60_000)).toBe(true);
    resolveAlert(a, { at: T + 1, actor: 'x' });
    expect(isOverdue(a, T + 120_000)).toBe(false);
  });

  it('gives a fresh full window on acknowledge, and records who, when, from which state', () => {
    const a = fresh();
    acknowledgeAlert(a, { at: T + 30_000, actor: 'ana', note: 'on it' }, 60_000);
    expect(a.deadline).toBe(T + 90_000);
    expect(a.trail.at(-1)).toEqual({
      at: T + 30_000,
      actor: 'ana',
      action: 'acknowledged',
      fromNode: 'r/a/a1',
      toNode: 'r/a/a1',
      fromState: 'raised',
      toState: 'acknowledged',
      note: 'on it',
    });
    expect(() => acknowledgeAlert(a, { at: T + 31_000, actor: 'ana' }, 60_000)).toThrow(
      expect.objectContaining({ statusCode: 409 }),
    );
  });

  it("moves ownership one level up with that level's window, recording from which level to which", () => {
    const a = fresh();
    escalateAlert(a, T + 60_000, { path: 'r/a', windowMs: 600_000 });
    expect(a).toMatchObject({ state: 'escalated', owner: 'r/a', path: ['r/a/a1', 'r/a'], deadline: T + 660_000 });
    expect(a.trail.at(-1)).toMatchObject({
      actor: 'system',
      action: 'escalated',
      fromNode: 'r/a/a1',
      toNode: 'r/a',
      fromState: 'raised',
      toState: 'escalated',
    });
  });

  it('lets the deadline lapse at the root, keeping the alert open', () => {
    const a = fresh({ owner: 'r', path: ['r/a/a1', 'r/a', 'r'], state: 'escalated' });
    escalateAlert(a, T, undefined);
    expect(a).toMatchObject({ state: 'escalated', owner: 'r', deadline: null });
    expect(a.trail.at(-1)).toMatchObject({ fromNode: 'r', toNode: 'r', note: 'correction window ran out at the root' });
  });

  it("ends a grouped alert's own deadline once it reaches the node of its group", () => {
    const a = fresh({ groupedBy: 'g' });
    escalateAlert(a, T + 60_000, { path: 'r/a', windowMs: 600_000 }, 'g');
    expect(a).toMatchObject({ owner: 'r/a', deadline: null, state: 'escalated' });
    expect(a.trail.at(-1)!.note).toMatch(/group g carries it further/);
  });

  it('links a child and its group both ways, with a grouped entry in each trail', () => {
    const child = fresh();
    const group = raiseAlert(
      {
        id: 'g',
        node: 'r/a',
        indicator: 'output',
        kind: 'group',
        probability: 1,
        score: 1,
        value: 2,
        raisedAt: T,
        groups: [],
      },
      600_000,
      'group',
    );
    joinGroup(child, group, T + 5);
    joinGroup(child, group, T + 6); // idempotent on the group side
    expect(child.groupedBy).toBe('g');
    expect(group.groups).toEqual(['x']);
    expect(child.deadline).toBe(T + 60_000); // still at its own level: keeps its own window
    expect(child.trail.at(-1)).toMatchObject({ action: 'grouped', note: 'grouped by g at r/a' });
    expect(group.trail.filter((t) => t.action === 'grouped')).toHaveLength(1);
  });

  describe('who may act', () => {
    const escalated = () => {
      const a = fresh();
      escalateAlert(a, T + 60_000, { path: 'r/a', windowMs: 600_000 });
      return a;
    };
    const worker = { name: 'w', role: 'council', scope: 'r/a/a1' };
    const council = { name: 'c', role: 'council', scope: 'r/a' };
    const outsider = { name: 'o', role: 'council', scope: 'r/b' };
    const planner = { name: 'p', role: 'planner', scope: 'r' };

    it('hides the alert from a scope it never passed through (404)', () => {
      for (const action of ['acknowledge', 'resolve', 'comment', 'directive'] as const) {
        expect(() => assertMay(escalated(), outsider, action)).toThrow(expect.objectContaining({ statusCode: 404 }));
      }
    });
    it("keeps acknowledging for the current owner's level or above (403 below)", () => {
      expect(() => assertMay(escalated(), worker, 'acknowledge')).toThrow(
        expect.objectContaining({ statusCode: 403, message: expect.stringMatching(/owned by r\/a/) }),
      );
      expect(() => assertMay(escalated(), council, 'acknowledge')).not.toThrow();
      expect(() => assertMay(escalated(), planner, 'acknowledge')).not.toThrow();
    });
    it('lets any level the alert passed through resolve or comment', () => {
      expect(() => assertMay(escalated(), worker, 'resolve')).not.toThrow();
      expect(() => assertMay(escalated(), worker, 'comment')).not.toThrow();
    });
    it('leaves directives to planners and to the owner level', () => {
      expect(() => assertMay(escalated(), worker, 'directive')).toThrow(expect.objectContaining({ statusCode: 403 }));
      expect(() => assertMay(escalated(), council, 'directive')).not.toThrow();
      expect(() => assertMay(escalated(), planner, 'directive')).not.toThrow();
    });
    it('refuses roles that do not act on alerts, and actions the state does not allow (409)', () => {
      expect(() => assertMay(escalated(), { name: 'd', role: 'device', scope: 'r' }, 'comment')).toThrow(
        expect.objectContaining({ statusCode: 403 }),
      );
      const done = escalated();
      resolveAlert(done, { at: T + 61_000, actor: 'c' });
      expect(() => assertMay(done, planner, 'resolve')).toThrow(expect.objectContaining({ statusCode: 409 }));
      expect(() => assertMay(done, planner, 'comment')).not.toThrow();
    });
  });
});

describe("the server's notes, said by key for other languages (issue 20 point 4)", () => {
  it('writes `says` beside the English note of escalations, shelves, assignments and grouping', () => {
    const a = fresh();
    escalateAlert(a, T + 60_000, { path: 'r/a', windowMs: 600_000 });
    shelveAlert(a, { at: T + 61_000, actor: 'ana', note: 'pump swap' }, T + 3_661_000);
    assignAlert(a, { at: T + 62_000, actor: 'ana' }, 'bob');
    assignAlert(a, { at: T + 63_000, actor: 'ana' }, undefined);
    escalateAlert(a, T + 70_000, undefined);
    const handed = fresh({ owner: 'r' });
    escalateAlert(handed, T + 80_000, undefined, undefined, 'region');
    expect([handed.trail.at(-1)?.note, handed.trail.at(-1)?.says, handed.deadline]).toEqual([
      'correction window of r ran out; handed up to server region',
      { key: 'escalatedUp', params: { node: 'r', server: 'region' } },
      null,
    ]);
    expect(a.trail.slice(1).map((e) => [e.note, e.says])).toEqual([
      ['correction window of r/a/a1 ran out', { key: 'escalated', params: { node: 'r/a/a1' } }],
      [
        'until 1970-01-01T01:17:41.000Z: pump swap',
        { key: 'shelved', params: { until: T + 3_661_000, note: 'pump swap' } },
      ],
      ['assigned to bob', { key: 'assigned', params: { user: 'bob' } }],
      ['unassigned (was bob)', { key: 'unassigned', params: { was: 'bob' } }],
      ['correction window ran out at the root', { key: 'escalatedRoot', params: {} }],
    ]);
    const group = fresh({ id: 'g', node: 'r/a', owner: 'r/a', kind: 'group', groups: [], trail: [] });
    const child = fresh();
    joinGroup(child, group, T + 5);
    expect(child.trail.at(-1)?.says).toEqual({ key: 'grouped', params: { group: 'g', node: 'r/a' } });
    expect(group.trail.at(-1)?.says).toEqual({ key: 'groupAdded', params: { alert: 'x', node: 'r/a/a1' } });
  });

  it("writes none on a person's own move", () => {
    const a = fresh();
    acknowledgeAlert(a, { at: T + 1, actor: 'ana', note: 'on it' }, 60_000);
    expect(a.trail.at(-1)?.says).toBeUndefined();
  });
});
