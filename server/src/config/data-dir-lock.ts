/**
 * One server per data directory. Two servers on one directory would both run, both write the
 * same SQLite files and both escalate the same alert; the second start must refuse with a clear
 * error instead. The lock is held by the kernel: an exclusive SQLite transaction on
 * `<dataDir>/opsroom.lock.db`, opened at start and never committed (POSIX record locks, which SQLite
 * uses, are dropped by the kernel the moment their process ends, however it ends). So a lock is
 * never stale, and two servers (two standbys) racing for a directory whose holder died cannot both
 * win: there is no "stale lock" to remove, only a lock that is free or not. `<dataDir>/opsroom.lock`
 * holds the holder's pid, for the messages only.
 *
 * @example
 *   const lock = lockDataDir('/var/lib/opsroom'); // throws DataDirInUseError if another server holds it
 *   // … run …
 *   lock.release();
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../errors.js';

export const LOCK_FILE = 'opsroom.lock';

/** The directory is held by another running server (or one starting at the same time): a standby waits on this. */
export class DataDirInUseError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock if it is still this process's; idempotent. */
  release(): void;
}

export interface LockOptions {
  /** The pid written into the lock (default: this process's). */
  pid?: number;
}

/** The file whose exclusive SQLite lock is the data directory's lock. */
export const LOCK_DB_FILE = 'opsroom.lock.db';

/** The connections holding locks: referenced here so that no garbage collection closes one (and frees its lock). */
const held = new Set<Database.Database>();

/** Takes the data directory's lock (creating the directory), or throws a ConfigError naming the holder. */
export function lockDataDir(dataDir: string, opts: LockOptions = {}): DataDirLock {
  const pid = opts.pid ?? process.pid;
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  let db: Database.Database;
  try {
    db = new Database(join(dataDir, LOCK_DB_FILE), { timeout: 0 });
  } catch (err) {
    throw new ConfigError(`cannot lock the data directory ${dataDir}: ${(err as Error).message}`);
  }
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY')
      throw new ConfigError(`cannot lock the data directory ${dataDir}: ${(err as Error).message}`);
    const other = holder(path);
    const who =
      other === null
        ? 'another opsroom server'
        : `another opsroom server (pid ${other}${other === pid ? ', this process' : ''})`;
    throw new DataDirInUseError(
      `the data directory ${dataDir} is in use by ${who}; stop it first, or give this server its own --data-dir ` +
        `(lock: ${path})`,
    );
  }
  held.add(db);
  writeFileSync(path, `${pid}\n`, { mode: 0o600 });
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      try {
        if (holder(path) === pid) unlinkSync(path);
      } catch {
        /* already gone */
      }
      db.exec('ROLLBACK');
      db.close();
      held.delete(db);
    },
  };
}

/** The pid in a lock file, or null if it has none (empty, garbage, gone). */
function holder(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
