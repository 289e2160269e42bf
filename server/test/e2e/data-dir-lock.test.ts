// One server per data directory: a second start on a directory in use is refused with a clear
// error and leaves the first running; a lock left by a killed server does not block the next one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/errors.js';
import { EXAMPLE_MODEL, startTestServer } from '../support/demo-fixture.js';
import { spawnServer } from '../support/server-process.js';

describe('one server per data directory', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'opsroom-lock-e2e-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a second server on a directory in use, keeps the first serving, and starts once the first has stopped', async () => {
    const dataDir = fresh();
    const first = await startTestServer({ dataDir });
    try {
      let err: unknown;
      try {
        const second = await startTestServer({ dataDir });
        await second.stop();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/in use by another opsroom server/);
      expect((err as Error).message).toContain(dataDir);
      expect((await fetch(`${first.httpUrl}/healthz`)).status).toBe(200); // the first is untouched
    } finally {
      await first.stop();
    }
    const again = await startTestServer({ dataDir });
    await again.stop();
  });

  it('names a server in another process, and takes the lock over once that process was killed', async () => {
    const dataDir = fresh();
    const child = await spawnServer({ dataDir, model: EXAMPLE_MODEL });
    try {
      await expect(startTestServer({ dataDir })).rejects.toThrow(new RegExp(`pid ${child.child.pid}\\b`));
    } finally {
      await child.kill(); // SIGKILL: no clean-up, the lock file stays behind
    }
    const after = await startTestServer({ dataDir });
    expect((await fetch(`${after.httpUrl}/healthz`)).status).toBe(200);
    await after.stop();
  }, 30_000); // a server process starts in 2–3 s, longer on a loaded machine
});
