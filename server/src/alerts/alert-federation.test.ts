import { describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { boss, setup, T0 } from '../../test/support/alert-test-kit.js';
import { escalateAlert, raiseAlert, resolveAlert, commentAlert } from './alert-lifecycle.js';

/** An alert as a child server owning r/a hands it up: raised at r/a/a1, escalated to r/a, then out of r/a. */
function handedFromChild(at: number): Alert {
  const a = raiseAlert(
    {
      id: 'h1',
      node: 'r/a/a1',
      indicator: 'output',
      kind: 'step',
      probability: 0.9,
      score: 1,
      value: 5,
      since: at,
      raisedAt: at,
    },
    60_000,
    'step change',
  );
  escalateAlert(a, at + 60_000, { path: 'r/a', windowMs: 600_000 });
  escalateAlert(a, at + 660_000, undefined);
  return a;
}

describe('alerts handed over between servers (issue 19 point 2)', () => {
  it("opens a hand-off at the boundary's parent with that node's whole window from receipt, once", () => {
    const { svc, eventsOf, clock } = setup();
    const handed = handedFromChild(T0 - 10_000_000); // a child clock far behind: it must not shorten the window
    expect(svc.receiveHandoff('council-a', handed, 'r/a')).toBe('opened');
    const [mirror] = eventsOf('escalated');
    expect(mirror!.owner).toBe('r');
    expect(mirror!.deadline).toBe(clock.t + 3600_000);
    expect(mirror!.trail.at(-1)).toMatchObject({ actor: 'server:council-a', action: 'escalated', toNode: 'r' });
    expect(svc.receiveHandoff('council-a', handed, 'r/a')).toBe('unchanged');
    expect(eventsOf('escalated')).toHaveLength(1);
    expect(svc.get('h1', boss).trail.filter((t) => t.actor === 'server:council-a')).toHaveLength(1);
  });

  it("takes the child's later trail entries over once, and its resolve; a resolve from the parent resolves it", () => {
    const { svc, clock } = setup();
    const handed = handedFromChild(T0);
    const upTo = Math.max(...handed.trail.map((t) => t.at));
    svc.receiveHandoff('council-a', handed, 'r/a');
    commentAlert(handed, { at: T0 + 700_000, actor: 'device:a1-plc', note: 'directive received' });
    expect(svc.receiveHandoff('council-a', handed, 'r/a', upTo)).toBe('updated');
    expect(svc.receiveHandoff('council-a', handed, 'r/a', T0 + 700_000)).toBe('unchanged');
    expect(svc.get('h1', boss).trail.filter((t) => t.actor === 'device:a1-plc')).toHaveLength(1);
    clock.t += 1000;
    resolveAlert(handed, { at: T0 + 800_000, actor: 'ana' });
    expect(svc.receiveHandoff('council-a', handed, 'r/a', T0 + 700_000)).toBe('resolved');
    expect(svc.get('h1', boss)).toMatchObject({ state: 'resolved' });
    expect(svc.get('h1', boss).trail.at(-1)!.note).toBe('resolved on server council-a by ana');
  });

  it('on the child: a resolve or a directive from the parent applies to the open alert only', () => {
    const { svc, directives, eventsOf } = setup();
    const a = handedFromChild(T0);
    svc.receiveHandoff('x', a, 'r/a'); // an open alert in this service to act on
    expect(svc.directiveFromServer('h1', 'region', 'boss', 'stop line 2')).toBe(true);
    expect(directives).toEqual(['r/a/a1:stop line 2']);
    expect(svc.resolveFromServer('h1', 'region', 'boss')).toBe(true);
    expect(eventsOf('resolved').at(-1)!.trail.at(-1)).toMatchObject({ actor: 'server:region', action: 'resolved' });
    expect(svc.resolveFromServer('h1', 'region', 'boss')).toBe(false);
    expect(svc.directiveFromServer('nope', 'region', 'boss', 'x')).toBe(false);
  });
});
