import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { SqliteAlertRepository } from '../alerts/sqlite-alert-repository.js';
import { escalateAlert, raiseAlert, resolveAlert } from '../alerts/alert-lifecycle.js';
import { openStateDatabase, type OpenedState } from '../state/state-db.js';
import { recordHandoffs, serverActor } from './alert-handoffs.js';
import { FederationState } from './federation-state.js';

function alertAt(node: string, id = 'a1'): Alert {
  return raiseAlert(
    {
      id,
      node,
      indicator: 'output',
      kind: 'step',
      probability: 0.9,
      score: 1,
      value: 5,
      since: 1000,
      raisedAt: 1000,
    },
    60_000,
    'step change',
  );
}

describe('federation state and alert hand-offs (issue 19 point 2)', () => {
  let dir: string;
  let opened: OpenedState;
  let fed: FederationState;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-fed-'));
    opened = openStateDatabase(dir);
    fed = new FederationState(opened.db, () => 42);
  });
  afterEach(() => {
    opened.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an outbox per peer in seq order until delivered, and an inbox high-water mark', () => {
    const a = fed.append('region', 'rollup', { n: 1 });
    const b = fed.append('other', 'rollup', { n: 2 });
    const c = fed.append('region', 'alert', { n: 3 });
    expect(b).toBeGreaterThan(a);
    expect(fed.pending('region').map((r) => [r.seq, r.kind, r.body])).toEqual([
      [a, 'rollup', { n: 1 }],
      [c, 'alert', { n: 3 }],
    ]);
    expect(fed.pending('region', a).map((r) => r.seq)).toEqual([c]);
    fed.delivered('region', a);
    expect(fed.backlog('region')).toBe(1);
    fed.deliveredUpTo('region', c);
    expect(fed.backlog('region')).toBe(0);
    expect(fed.backlog('other')).toBe(1);
    expect(fed.lastApplied('norte')).toBe(0);
    fed.markApplied('norte', 7);
    expect(fed.lastApplied('norte')).toBe(7);
  });

  it('a failed transaction leaves neither the change nor its outbox row', () => {
    expect(() =>
      fed.transaction(() => {
        fed.append('region', 'rollup', {});
        fed.setCursor('rollup:x', 5);
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(fed.backlog('region')).toBe(0);
    expect(fed.cursor('rollup:x')).toBeUndefined();
  });

  it('queues an escalation out of the top in the same save as the alert, once, then its later changes', () => {
    const repo = new SqliteAlertRepository(opened.db, (saved) =>
      recordHandoffs(saved, { state: fed, parent: { server: 'region', top: 'valle/norte' } }),
    );
    const a = alertAt('valle/norte/lana');
    repo.saveAll([a]);
    expect(fed.backlog('region')).toBe(0); // raised at the workshop: the council's own business
    escalateAlert(a, 2000, { path: 'valle/norte', windowMs: 60_000 });
    repo.saveAll([a]);
    expect(fed.backlog('region')).toBe(0); // escalated inside the council
    escalateAlert(a, 3000, undefined); // out of the council's top
    repo.saveAll([a]);
    expect(fed.pending('region').map((r) => r.kind)).toEqual(['alert']);
    expect(fed.link(a.id, 'handed')).toBe('region');
    resolveAlert(a, { at: 4000, actor: 'ana' });
    repo.saveAll([a]);
    const rows = fed.pending('region');
    expect(rows.map((r) => (r.body as { alert: Alert }).alert.state)).toEqual(['escalated', 'resolved']);
  });

  it('does not echo a change that came from the peer; a resolved mirror sends resolve down', () => {
    const repo = new SqliteAlertRepository(opened.db, (saved) => recordHandoffs(saved, { state: fed }));
    const a = alertAt('valle/norte/lana', 'm1');
    fed.setLink(a.id, 'norte', 'mirror');
    escalateAlert(a, 2000, { path: 'valle', windowMs: 60_000 });
    a.trail.at(-1)!.actor = serverActor('norte');
    repo.saveAll([a]);
    expect(fed.backlog('norte')).toBe(0);
    resolveAlert(a, { at: 3000, actor: serverActor('norte') }); // resolved at the council: nothing goes back
    repo.saveAll([a]);
    expect(fed.backlog('norte')).toBe(0);
    const b = alertAt('valle/norte/lana', 'm2');
    fed.setLink(b.id, 'norte', 'mirror');
    resolveAlert(b, { at: 3000, actor: 'boss', note: 'done' });
    repo.saveAll([b]);
    expect(fed.pending('norte').map((r) => r.body)).toEqual([{ id: 'm2', by: 'boss', at: 3000, note: 'done' }]);
  });

  it("in a deeper federation, passes a child's hand-off on up out of its own top, and a resolve from above down", () => {
    // the council "norte" between the region above and a district "lana" below
    const repo = new SqliteAlertRepository(opened.db, (saved) =>
      recordHandoffs(saved, { state: fed, parent: { server: 'region', top: 'valle/norte' } }),
    );
    const a = alertAt('valle/norte/lana/telar', 'deep');
    fed.setLink(a.id, 'lana', 'mirror');
    escalateAlert(a, 2000, { path: 'valle/norte', windowMs: 60_000 });
    a.trail.at(-1)!.actor = serverActor('lana');
    repo.saveAll([a]);
    expect(fed.backlog('region') + fed.backlog('lana')).toBe(0);
    escalateAlert(a, 3000, undefined); // out of norte's top
    repo.saveAll([a]);
    expect(fed.pending('region').map((r) => r.kind)).toEqual(['alert']);
    resolveAlert(a, { at: 4000, actor: serverActor('region') }); // resolved up there
    repo.saveAll([a]);
    expect(fed.backlog('region')).toBe(1); // not echoed back up
    expect(fed.pending('lana').map((r) => [r.kind, (r.body as { by: string }).by])).toEqual([
      ['resolve', 'server:region'],
    ]);
  });

  it('says how many messages it queued, so the links are kicked only then', () => {
    const rules = { state: fed, parent: { server: 'region', top: 'valle/norte' } };
    expect(recordHandoffs([alertAt('valle/norte/telar', 'local')], rules)).toBe(0); // about no other server
    const a = alertAt('valle/norte/lana', 'up');
    escalateAlert(a, 2000, { path: 'valle/norte', windowMs: 60_000 });
    expect(recordHandoffs([a], rules)).toBe(0); // inside the council
    escalateAlert(a, 3000, undefined); // out of the council's top
    expect(recordHandoffs([a], rules)).toBe(1);
    expect(fed.backlog('region')).toBe(1);
  });

  it('hands up an alert whose trail says where it went (a server with a parent server), once', () => {
    const rules = { state: fed, parent: { server: 'region', top: 'valle/norte' } };
    const a = alertAt('valle/norte/lana', 'said');
    escalateAlert(a, 2000, { path: 'valle/norte', windowMs: 60_000 });
    escalateAlert(a, 3000, undefined, undefined, 'region');
    expect(a.trail.at(-1)?.note).toBe('correction window of valle/norte ran out; handed up to server region');
    expect(recordHandoffs([a], rules)).toBe(1);
  });
});
