import { describe, expect, it } from '@jest/globals';
import {
  faultOutcomes,
  hasFaultBehind,
  operatorLoad,
  perMinute,
  refires,
  type AlertLike,
} from '../../bench/demo-alerts-score.js';
import type { FaultRecord } from '../../src/demo/fault-schedule.js';
import { tinyModel } from '../support/tiny-model.js';

const T = 1_000_000;
const model = tinyModel();

const fault = (over: Partial<FaultRecord> = {}): FaultRecord => ({
  at: new Date(T).toISOString(),
  atMs: T,
  device: 'a1-dev',
  node: 'r/a/a1',
  metric: 'output',
  kind: 'step',
  size: 5,
  sizeSigma: 10,
  durationMs: 90_000,
  ...over,
});

let n = 0;
const alert = (node: string, raisedAt: number, indicator = 'output', kind: AlertLike['kind'] = 'step'): AlertLike => ({
  id: `x${n++}`,
  node,
  indicator,
  kind,
  raisedAt,
  path: [node],
  trail: [{ at: raisedAt, actor: 'system', action: 'raised', fromNode: node, toNode: node, toState: 'raised' }],
});

describe("the demo bench's scoring", () => {
  it('counts a fault alerted when its node or parent alerts within 60 s of its start', () => {
    const [o] = faultOutcomes(model, [fault()], [alert('r/a', T + 12_000)], T + 600_000);
    expect(o).toMatchObject({ scored: true, sameIndicatorMs: 12_000, anyIndicatorMs: 12_000, masked: false });
  });

  it('does not count an alert too late, elsewhere in the tree, or before the fault', () => {
    const alerts = [
      alert('r/a/a1', T + 60_001),
      alert('r/b/b1', T + 1000),
      alert('r', T + 1000),
      alert('r/a/a2', T + 1000),
      alert('r/a/a1', T - 1),
    ];
    const [o] = faultOutcomes(model, [fault()], alerts, T + 600_000);
    expect(o).toMatchObject({ sameIndicatorMs: null, anyIndicatorMs: null, masked: true });
  });

  it("tells an alert on the fault's indicator from one on another", () => {
    const [o] = faultOutcomes(model, [fault()], [alert('r/a/a1', T + 5000, 'energy')], T + 600_000);
    expect(o).toMatchObject({ sameIndicatorMs: null, anyIndicatorMs: 5000 });
  });

  it('counts a fault shown when an alert already open on its series fires again within 60 s (a refired entry)', () => {
    const open = alert('r/a/a1', T - 300_000);
    open.trail.push({
      at: T + 4000,
      actor: 'system',
      action: 'refired',
      fromNode: 'r/a/a1',
      toNode: 'r/a/a1',
      note: 'fired again: a new change',
    });
    const late = alert('r/a/a1', T - 300_000, 'energy');
    late.trail.push({ at: T + 4000, actor: 'system', action: 'refired', fromNode: 'r/a/a1', toNode: 'r/a/a1' });
    const [o] = faultOutcomes(model, [fault()], [open, late], T + 600_000);
    expect(o).toMatchObject({ sameIndicatorMs: null, refiredMs: 4000, alertedMs: 4000, masked: true });
    // Another indicator's alert firing again does not show this fault; nor does one outside 60 s.
    const [p] = faultOutcomes(model, [fault({ atMs: T - 100_000 })], [open, late], T + 600_000);
    expect(p).toMatchObject({ refiredMs: null, alertedMs: null });
  });

  it('alertedMs is the earlier of a raise and a refire', () => {
    const open = alert('r/a', T - 300_000);
    open.trail.push({ at: T + 9000, actor: 'system', action: 'refired', fromNode: 'r/a', toNode: 'r/a' });
    const [o] = faultOutcomes(model, [fault()], [open, alert('r/a/a1', T + 2000)], T + 600_000);
    expect(o).toMatchObject({ sameIndicatorMs: 2000, refiredMs: 9000, alertedMs: 2000 });
  });

  it('refires: each refired entry, explained when a fault on its node or parent and indicator is behind it', () => {
    const a = alert('r/a/a1', T - 300_000);
    a.trail.push({ at: T + 1000, actor: 'system', action: 'refired', fromNode: 'r/a/a1', toNode: 'r/a/a1' });
    a.trail.push({ at: T + 200_000, actor: 'system', action: 'refired', fromNode: 'r/a/a1', toNode: 'r/a/a1' });
    expect(refires(model, [a], [fault()]).map((r) => r.explained)).toEqual([true, false]);
  });

  it('does not score a fault the run ended less than 60 s after', () => {
    expect(faultOutcomes(model, [fault()], [], T + 59_999)[0]!.scored).toBe(false);
  });

  it('puts a fault behind an alert at its node or parent raised within [start, start + duration + 60 s]', () => {
    const faults = [fault()];
    expect(hasFaultBehind(model, alert('r/a/a1', T + 150_000), faults)).toBe(true);
    expect(hasFaultBehind(model, alert('r/a', T), faults)).toBe(true);
    expect(hasFaultBehind(model, alert('r/a/a1', T + 150_001), faults)).toBe(false);
    expect(hasFaultBehind(model, alert('r/a/a2', T + 1000), faults)).toBe(false);
    expect(hasFaultBehind(model, alert('r/a/a1', T + 1000, 'energy'), faults)).toBe(true);
    expect(hasFaultBehind(model, alert('r/a/a1', T + 1000, 'energy'), faults, true)).toBe(false);
  });

  it('puts a fault behind a grouping alert anywhere in the tree when an alert it groups has one, and not otherwise', () => {
    const faults = [fault()];
    const child = alert('r/a/a1', T + 1000);
    const stray = alert('r/b/b1', T + 1000);
    const coop = { ...alert('r/a', T + 2000, '*'), groups: [child.id] };
    const top = { ...alert('r', T + 2000, '*'), groups: [coop.id] };
    const strayTop = { ...alert('r', T + 2000, '*'), groups: [stray.id] };
    const all = [child, stray, coop, top, strayTop];
    expect(hasFaultBehind(model, top, faults, false, all)).toBe(true); // through the cooperative's group
    expect(hasFaultBehind(model, top, faults, true, all)).toBe(true);
    expect(hasFaultBehind(model, strayTop, faults, false, all)).toBe(false);
    expect(hasFaultBehind(model, top, faults)).toBe(false); // without the list it cannot look through
  });

  it("counts an operator's alerts in their subtree and those that reached their node", () => {
    const escalated = { ...alert('r/a/a1', T), path: ['r/a/a1', 'r/a'] };
    expect(operatorLoad('r/a', [alert('r/a/a1', T), escalated, alert('r/b/b1', T)])).toEqual({ inView: 2, reached: 1 });
    expect(perMinute([alert('r', T), alert('r', T + 59_999), alert('r', T + 60_000)], T, 3)).toEqual([2, 1, 0]);
  });
});
