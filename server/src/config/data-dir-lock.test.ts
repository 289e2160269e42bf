import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ConfigError } from '../errors.js';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from './data-dir-lock.js';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'opsroom-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('lockDataDir', () => {
  it('creates the directory and a lock holding the pid, and releases it', () => {
    const dir = join(fresh(), 'data');
    const lock = lockDataDir(dir, { pid: 4242 });
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe('4242\n');
    lock.release();
    lock.release(); // idempotent
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a second server while the first runs, naming the directory and the holder, and takes the lock once it is released', () => {
    const dir = fresh();
    const first = lockDataDir(dir, { pid: 100 });
    let err: unknown;
    try {
      lockDataDir(dir, { pid: 200 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toBeInstanceOf(DataDirInUseError); // what a standby waits on
    expect((err as Error).message).toContain(dir);
    expect((err as Error).message).toContain('pid 100');
    expect((err as Error).message).toContain('--data-dir');
    first.release();
    const second = lockDataDir(dir, { pid: 200 });
    expect(readFileSync(second.path, 'utf8')).toBe('200\n');
  });

  it('refuses a second server in the same process too', () => {
    const dir = fresh();
    lockDataDir(dir, { pid: 100 });
    expect(() => lockDataDir(dir, { pid: 100 })).toThrow(/pid 100, this process/);
  });

  it('is not held back by a pid file its server left behind (a crash), readable or not', () => {
    const dir = fresh();
    writeFileSync(join(dir, LOCK_FILE), '999999\n');
    const lock = lockDataDir(dir, { pid: 300 });
    expect(readFileSync(lock.path, 'utf8')).toBe('300\n');
    lock.release();
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    expect(readFileSync(lockDataDir(dir, { pid: 301 }).path, 'utf8')).toBe('301\n');
  });

  it('does not remove a lock another process took after this one lost it', () => {
    const dir = fresh();
    const mine = lockDataDir(dir, { pid: 400 });
    writeFileSync(mine.path, '500\n'); // taken over while this one looked stale to it
    mine.release();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe('500\n');
  });
});
