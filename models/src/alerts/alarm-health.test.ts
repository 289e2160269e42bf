import { describe, expect, it } from '@jest/globals';
import type { Alert, AlertTrailEntry } from './alert.js';
import { alarmHealth, median } from './alarm-health.js';

const H = 3600_000;
const NOW = 100 * H;
const MIN = 60_000;
const ago = (minutes: number) => NOW - minutes * MIN;

type Step = [at: number, action: AlertTrailEntry['action'], actor?: string];
/** An alert built from its trail: raised at the first step, its state after the last. */
function alert(id: string, node: string, steps: Step[], over: Partial<Alert> = {}): Alert {
  const trail = steps.map(([at, action, actor]) => ({
    at,
    action,
    actor: actor ?? 'system',
    fromNode: node,
    toNode: node,
  }));
  const last = steps[steps.length - 1]![1];
  const state = last === 'resolved' ? 'resolved' : last === 'acknowledged' ? 'acknowledged' : 'raised';
  return {
    id,
    node,
    owner: node,
    path: [node],
    indicator: 'output',
    kind: 'step',
    probability: 0.9,
    score: 0.9,
    state,
    value: 1,
    raisedAt: steps[0]![0],
    updatedAt: steps[steps.length - 1]![0],
    deadline: state === 'resolved' ? null : NOW + H,
    trail,
    ...over,
  };
}

describe('alarmHealth', () => {
  it('counts raises per hour over the window and per hour of it, inside the node only', () => {
    const alerts = [
      alert('a', 'r/a/a1', [[NOW - 90 * MIN, 'raised']]),
      alert('b', 'r/a/a2', [[NOW - 30 * MIN, 'raised']]),
      alert('c', 'r/a/a2', [[NOW - 3 * H, 'raised']]), // before the window
      alert('d', 'r/b/b1', [[NOW - 10 * MIN, 'raised']]), // another subtree
    ];
    const h = alarmHealth(alerts, { node: 'r/a', now: NOW, hours: 2 });
    expect(h).toMatchObject({ node: 'r/a', from: NOW - 2 * H, to: NOW, raises: 2, alertsPerHour: 1, open: 3 });
    expect(h.hourly).toEqual([
      { start: NOW - 2 * H, count: 1 },
      { start: NOW - H, count: 1 },
    ]);
    expect(alarmHealth(alerts, { node: 'r', now: NOW, hours: 2 }).raises).toBe(3);
  });

  it('calls a 10-minute interval with more than 10 raises a flood, and gives the share and the peak', () => {
    // 11 raises within one interval (a flood), 10 in the next (not one), 1 in the last.
    const at = (i: number) => NOW - 60 * MIN + i * MIN;
    const alerts = [
      ...Array.from({ length: 11 }, (_, i) => alert(`f${i}`, 'r/a/a1', [[NOW - 55 * MIN + i * 10_000, 'raised']])),
      ...Array.from({ length: 10 }, (_, i) => alert(`g${i}`, 'r/a/a2', [[NOW - 45 * MIN + i * 10_000, 'raised']])),
      alert('h', 'r/b/b1', [[at(59), 'raised']]),
    ];
    const h = alarmHealth(alerts, { node: 'r', now: NOW, hours: 1 });
    expect(h.raises).toBe(22);
    expect(h.floods).toEqual({ intervals: 6, flooded: 1, share: 1 / 6, peak: 11 });
  });

  it('counts the re-raises of a chattering alert held as one, and ranks the top ten by raises', () => {
    const chatty = alert(
      'c',
      'r/a/a1',
      [
        [NOW - 50 * MIN, 'raised'],
        [NOW - 45 * MIN, 'resolved', 'ana'],
        [NOW - 40 * MIN, 'raised'],
        [NOW - 35 * MIN, 'resolved', 'ana'],
        [NOW - 30 * MIN, 'raised'],
      ],
      { chattering: { raises: 3, firstAt: NOW - 50 * MIN, lastAt: NOW - 30 * MIN } },
    );
    const node = (i: number) => `r/n${String(i).padStart(2, '0')}`;
    const others = Array.from({ length: 12 }, (_, i) => alert(`o${i}`, node(i), [[NOW - 20 * MIN, 'raised']]));
    const twice = [
      alert('t1', 'r/b/b1', [[NOW - 20 * MIN, 'raised']]),
      alert('t2', 'r/b/b1', [[NOW - 10 * MIN, 'raised']]),
    ];
    const h = alarmHealth([chatty, ...others, ...twice], { node: 'r', now: NOW, hours: 1 });
    expect(h.raises).toBe(3 + 12 + 2);
    expect(h.chattering).toBe(1);
    expect(h.top).toHaveLength(10);
    expect(h.top.slice(0, 3)).toEqual([
      { node: 'r/a/a1', indicator: 'output', count: 3 },
      { node: 'r/b/b1', indicator: 'output', count: 2 },
      { node: 'r/n00', indicator: 'output', count: 1 },
    ]);
  });

  it('counts standing alerts (open, last raised over 24 h ago), shelved ones, and open at the window end', () => {
    const alerts = [
      alert('old', 'r/a/a1', [[NOW - 25 * H, 'raised']]),
      alert('oldAcked', 'r/a/a1', [
        [NOW - 30 * H, 'raised'],
        [NOW - 29 * H, 'acknowledged', 'ana'],
      ]),
      alert('young', 'r/a/a2', [[NOW - 23 * H, 'raised']], {
        shelved: { by: 'ana', at: NOW - H, until: NOW + H, remainingMs: 1000 },
      }),
      alert('oldResolved', 'r/b/b1', [
        [NOW - 40 * H, 'raised'],
        [NOW - 2 * H, 'resolved', 'ana'],
      ]),
    ];
    const h = alarmHealth(alerts, { node: 'r', now: NOW, hours: 24 });
    expect(h).toMatchObject({ standing: 2, shelved: 1, open: 3, raises: 1 });
    // Ten hours earlier: the resolved one was open and standing (30 h), `young` was open but not shelved yet.
    const before = alarmHealth(alerts, { node: 'r', now: NOW - 10 * H, hours: 24 });
    expect(before).toMatchObject({ open: 4, standing: 1, shelved: 0 });
  });

  it('gives the median times to acknowledge and to resolve of the raises in the window', () => {
    const alerts = [
      // raised, acknowledged and resolved minutes before NOW
      alert('a', 'r/a/a1', [
        [ago(50), 'raised'],
        [ago(48), 'acknowledged', 'ana'],
        [ago(40), 'resolved', 'ana'],
      ]),
      alert('b', 'r/a/a1', [
        [ago(30), 'raised'],
        [ago(26), 'acknowledged', 'ana'],
        [ago(26), 'acknowledged', 'x'],
      ]),
      alert('c', 'r/a/a2', [
        [ago(20), 'raised'],
        [ago(14), 'acknowledged', 'ana'],
        [ago(10), 'resolved', 'ana'],
      ]),
      alert('d', 'r/a/a2', [
        [NOW - 20 * MIN, 'raised'],
        [NOW - 19 * MIN, 'resolved', 'ana'],
      ]),
      // Raised before the window: its acknowledgement inside it is not timed.
      alert('e', 'r/b/b1', [
        [NOW - 2 * H, 'raised'],
        [NOW - 10 * MIN, 'acknowledged', 'ana'],
      ]),
    ];
    const h = alarmHealth(alerts, { node: 'r', now: NOW, hours: 1 });
    expect(h.medianAckMs).toBe(4 * MIN); // 2, 4, 6
    expect(h.medianResolveMs).toBe(10 * MIN); // 10, 10, 1 -> sorted 1, 10, 10
  });

  it('is empty but whole with no alerts, and refuses a window of no length', () => {
    const h = alarmHealth([], { node: 'r', now: NOW, hours: 1 });
    expect(h).toMatchObject({ raises: 0, alertsPerHour: 0, standing: 0, top: [] });
    expect(h).toMatchObject({ medianAckMs: null, medianResolveMs: null });
    expect(h.floods).toEqual({ intervals: 6, flooded: 0, share: 0, peak: 0 });
    expect(() => alarmHealth([], { node: 'r', now: NOW, hours: 0 })).toThrow(RangeError);
  });
});

describe('median', () => {
  it('is the middle value, the mean of the two middle ones, or null', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
