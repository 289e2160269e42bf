import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteOutbox } from './sqlite-outbox.js';
import { outboxContract } from '../../test/support/outbox-contract.js';

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsroom-outbox-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fresh = () => join(dir, `o${n++}.sqlite`);
const rs = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ metric: 'output', value: from + i, ts: 1_000 + from + i }));

outboxContract('SqliteOutbox', (opts) => new SqliteOutbox({ ...opts, file: fresh(), synchronous: 'normal' }));

describe('SqliteOutbox', () => {
  it('syncs appends to disk (synchronous=FULL) and still does after an ack, whose delete alone is not synced', () => {
    const o = new SqliteOutbox({ file: fresh() });
    const db = (o as unknown as { db: Database.Database }).db;
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    o.append(rs(3));
    expect(o.ack(o.peek(2))).toBe(2);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    o.close();
    const n = new SqliteOutbox({ file: fresh(), synchronous: 'normal' });
    n.append(rs(1));
    n.ack(n.peek(1));
    expect((n as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL stays NORMAL
    n.close();
  });

  it('finds the un-acked readings in order after a restart', () => {
    const file = fresh();
    const a = new SqliteOutbox({ file });
    a.append(rs(10));
    a.ack(a.peek(3));
    a.close();
    const b = new SqliteOutbox({ file });
    expect(b.depth()).toBe(7);
    expect(b.peek(100).readings).toEqual(rs(7, 3));
    b.close();
  });

  it('never reuses a sequence number, so an ack from before a restart cannot delete newer readings', () => {
    const file = fresh();
    const a = new SqliteOutbox({ file });
    a.append(rs(5));
    const stale = a.peek(5);
    a.ack(stale);
    a.close();
    const b = new SqliteOutbox({ file });
    b.append(rs(5, 5));
    expect(b.ack(stale)).toBe(0);
    expect(b.peek(10).readings).toEqual(rs(5, 5));
    b.close();
  });

  it('keeps counting overflow drops across restarts', () => {
    const file = fresh();
    const a = new SqliteOutbox({ file, maxReadings: 4 });
    a.append(rs(6));
    expect(a.dropped).toBe(2);
    a.close();
    const b = new SqliteOutbox({ file, maxReadings: 4 });
    expect(b.dropped).toBe(2);
    b.append(rs(3, 6));
    expect(b.dropped).toBe(5);
    expect(b.peek(10).readings).toEqual(rs(4, 5));
    b.close();
  });

  it('uses the WAL journal and creates its directory', () => {
    const file = join(dir, 'nested', 'deeper', 'outbox.sqlite');
    const o = new SqliteOutbox({ file });
    o.append(rs(1));
    expect(existsSync(file)).toBe(true);
    o.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('explains what to check when the file cannot be opened', () => {
    const blocker = fresh();
    new SqliteOutbox({ file: blocker }).close(); // a file where a directory is expected
    expect(() => new SqliteOutbox({ file: join(blocker, 'x.sqlite') })).toThrow(
      /cannot open the outbox file .*bufferDir/,
    );
  });
});
