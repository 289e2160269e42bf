/**
 * One server per data directory. Two servers on one directory would both run, both write the
 * same SQLite files and both escalate the same alert; the second start must refuse with a clear
 * error instead. The lock is a file, `<dataDir>/opsroom.lock`, created exclusively and holding the
 * owner's pid. A lock left by a process that no longer runs (SIGKILL, a power cut) is stale and
 * is taken over; a lock whose process runs (this one included) is not.
 *
 * @example
 *   const lock = lockDataDir('/var/lib/opsroom'); // throws ConfigError if another server holds it
 *   // … run …
 *   lock.release();
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
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
  /** Whether a process runs (default: signal 0). Injected by tests. */
  isAlive?: (pid: number) => boolean;
}

/** Whether process `pid` exists: signal 0 checks without sending; EPERM means it exists under another user. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data directory's lock (creating the directory), or throws a ConfigError naming the holder. */
export function lockDataDir(dataDir: string, opts: LockOptions = {}): DataDirLock {
  const pid = opts.pid ?? process.pid;
  const isAlive = opts.isAlive ?? processIsAlive;
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${pid}\n`);
      } finally {
        closeSync(fd);
      }
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
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError(`cannot lock the data directory ${dataDir}: ${(err as Error).message}`);
      }
      const other = holder(path);
      if (other !== null && isAlive(other)) {
        throw new DataDirInUseError(
          `the data directory ${dataDir} is in use by another opsroom ` +
            `server (pid ${other}${other === pid ? ', this process' : ''}); ` +
            `stop it first, or give this server its own --data-dir (lock: ${path})`,
        );
      }
      // Stale (its process is gone) or unreadable: take it over, once.
      try {
        unlinkSync(path);
      } catch {
        /* someone else removed it: retry */
      }
    }
  }
  throw new DataDirInUseError(
    `the data directory ${dataDir} is being locked by another server starting at the same time; try again`,
  );
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
