import { describe, expect, it } from '@jest/globals';
import { appendTrail, commentAlert, directiveAlert, TRAIL_MAX_ENTRIES } from './alert-lifecycle.js';
import { boss, setup, step } from '../../test/support/alert-test-kit.js';
import { directiveAwaitingAck } from './directive-ledger.js';

describe('directive acknowledgements (issue 16 point 5)', () => {
  it('accepts a device acknowledgement only for a directive sent to its node and not yet acknowledged', () => {
    const { svc } = setup();
    svc.onDetection(step('r/a/a1'));
    const id = svc.list(boss)[0]!.id;
    // No directive yet: nothing to acknowledge.
    expect(svc.recordDirectiveAck(id, 'a1-dev', 'r/a/a1')).toBe(false);
    svc.directive(id, boss, 'slow line 2');
    expect(svc.recordDirectiveAck(id, 'a1-dev', 'r/a/a1')).toBe(true);
    // Once per directive and device: the same acknowledgement again is ignored…
    for (let i = 0; i < 100; i++) expect(svc.recordDirectiveAck(id, 'a1-dev', 'r/a/a1')).toBe(false);
    // …another device of the node has its own, and a second directive allows one more each.
    expect(svc.recordDirectiveAck(id, 'a1-dev-2', 'r/a/a1')).toBe(true);
    svc.directive(id, boss, 'and line 3');
    expect(svc.recordDirectiveAck(id, 'a1-dev', 'r/a/a1')).toBe(true);
    expect(svc.recordDirectiveAck(id, 'a1-dev', 'r/a/a1')).toBe(false);
    const acks = svc.get(id, boss).trail.filter((e) => e.actor.startsWith('device:'));
    expect(acks.map((e) => e.actor)).toEqual(['device:a1-dev', 'device:a1-dev-2', 'device:a1-dev']);
  });

  it('reads the ledger from the trail, so it survives a restart (the trail is persisted with the alert)', () => {
    const { svc, repo } = setup();
    svc.onDetection(step('r/a/a1'));
    const id = svc.list(boss)[0]!.id;
    svc.directive(id, boss, 'slow line 2');
    const again = setup({ repo });
    expect(again.svc.recordDirectiveAck(id, 'a1-dev', 'r/a/a1')).toBe(true);
    expect(again.svc.recordDirectiveAck(id, 'a1-dev', 'r/a/a1')).toBe(false);
    expect(directiveAwaitingAck(again.svc.get(id, boss), 'a1-dev')).toBe(false);
  });
});

describe('trail length policy', () => {
  const alert = () => {
    const { svc } = setup();
    svc.onDetection(step('r/a/a1'));
    return svc.get(svc.list(boss)[0]!.id, boss);
  };

  it(`keeps at most ${TRAIL_MAX_ENTRIES} entries, dropping the oldest comments first and counting them`, () => {
    const a = alert();
    directiveAlert(a, { at: 1, actor: 'boss', note: 'd' });
    for (let i = 0; i < 3 * TRAIL_MAX_ENTRIES; i++) commentAlert(a, { at: 2 + i, actor: 'boss', note: `c${i}` });
    expect(a.trail).toHaveLength(TRAIL_MAX_ENTRIES);
    expect(a.trail[0]!.action).toBe('raised');
    expect(a.trail[1]!.action).toBe('directive');
    expect(a.trail.at(-1)!.note).toBe(`c${3 * TRAIL_MAX_ENTRIES - 1}`);
    expect(a.trailDropped).toBe(3 * TRAIL_MAX_ENTRIES + 2 - TRAIL_MAX_ENTRIES);
  });

  it('never drops directives or acknowledgements; when nothing can go, refuses new comments and directives', () => {
    const a = alert();
    for (let i = 1; i < TRAIL_MAX_ENTRIES; i++)
      appendTrail(a, {
        at: i,
        actor: 'device:x',
        action: 'commented',
        fromNode: a.node,
        toNode: a.node,
        note: 'directive received',
      });
    expect(() => commentAlert(a, { at: 0, actor: 'boss', note: 'one more' })).toThrow(/trail is full/);
    expect(() => directiveAlert(a, { at: 0, actor: 'boss', note: 'one more' })).toThrow(/trail is full/);
    expect(a.trail).toHaveLength(TRAIL_MAX_ENTRIES);
    // An acknowledgement of a directive already sent is still written (one per directive and device).
    commentAlert(a, { at: 0, actor: 'device:y', note: 'directive received' });
    expect(a.trail).toHaveLength(TRAIL_MAX_ENTRIES + 1);
  });
});
