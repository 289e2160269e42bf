import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { openStateDatabase } from '../state/state-db.js';
import { raiseAlert, resolveAlert } from './alert-lifecycle.js';
import { MemoryAlertRepository, type AlertRepository } from './alert-repository.js';
import { SqliteAlertRepository } from './sqlite-alert-repository.js';

const alert = (id: string, raisedAt: number): Alert =>
  raiseAlert(
    { id, node: 'r/a/a1', indicator: 'output', kind: 'step', probability: 0.9, score: 0.99, value: 1, raisedAt },
    60_000,
    'step',
  );

/** The contract every AlertRepository keeps. */
function contract(name: string, make: () => { repo: AlertRepository; reopen?: () => AlertRepository }) {
  describe(`${name} (AlertRepository contract)`, () => {
    it('returns what was saved, as a copy, and replaces on save', () => {
      const { repo } = make();
      const a = alert('a', 10);
      repo.save(a);
      a.trail.push({ at: 11, actor: 'x', action: 'commented', fromNode: 'r/a/a1', toNode: 'r/a/a1' }); // mutated after save
      expect(repo.get('a')).toEqual(alert('a', 10));
      const b = repo.get('a')!;
      resolveAlert(b, { at: 20, actor: 'x' });
      repo.save(b);
      expect(repo.get('a')!.state).toBe('resolved');
      expect(repo.get('nope')).toBeUndefined();
    });

    it('loads only the open alerts', () => {
      const { repo } = make();
      const done = alert('done', 1);
      resolveAlert(done, { at: 2, actor: 'x' });
      repo.saveAll([alert('open', 3), done]);
      expect(repo.loadOpen().map((a) => a.id)).toEqual(['open']);
    });

    it('lists newest first within [since, until], at most limit', () => {
      const { repo } = make();
      repo.saveAll([10, 20, 30, 40].map((t) => alert(`t${t}`, t)));
      expect(repo.list().map((a) => a.id)).toEqual(['t40', 't30', 't20', 't10']);
      expect(repo.list({ since: 20, until: 30 }).map((a) => a.id)).toEqual(['t30', 't20']);
      expect(repo.list({ limit: 1 }).map((a) => a.id)).toEqual(['t40']);
    });

    it('keeps trails, groups and deadlines exactly', () => {
      const { repo, reopen } = make();
      const a = { ...alert('g', 5), kind: 'group' as const, groups: ['c1', 'c2'] };
      a.trail.push({
        at: 6,
        actor: 'system',
        action: 'grouped',
        fromNode: 'r/a/a1',
        toNode: 'r/a/a1',
        fromState: 'raised',
        toState: 'raised',
        note: 'n',
      });
      repo.save(a);
      expect((reopen?.() ?? repo).get('g')).toEqual(a);
    });
  });
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

contract('MemoryAlertRepository', () => ({ repo: new MemoryAlertRepository() }));
contract('SqliteAlertRepository', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-alert-repo-'));
  dirs.push(dir);
  const { db } = openStateDatabase(dir);
  return {
    repo: new SqliteAlertRepository(db),
    reopen: () => {
      db.close();
      return new SqliteAlertRepository(openStateDatabase(dir).db);
    },
  };
});
