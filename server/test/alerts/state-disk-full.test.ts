// Issue 17 point 3 with a real full disk: the data directory is a small tmpfs (mounting needs root;
// the suite is skipped, saying so, where that is refused). While the disk is full the server keeps
// serving: an acknowledge answers 503 and changes nothing, the overdue alert does not move, the
// escalation check's failures are counted and /healthz says what fails. Once there is room again
// the alert escalates exactly once, and a restart finds it so.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { startOpsroom, type StartOptions } from '../../src/index.js';
import { connectDevice, getJson, login } from '../support/demo-fixture.js';
import { DEVICE, PLANNER, publishStep, writeShortWindowModel } from './support.js';

const LEAF_SEC = 4;
const dir = mkdtempSync(join(tmpdir(), 'opsroom-disk-full-'));
const dataDir = join(dir, 'data');
mkdirSync(dataDir);

/** Mounts an 8 MiB tmpfs on the data directory (room for state.db and its WAL, ~4 MiB at most before a checkpoint). */
function mountTmpfs(): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dataDir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return (err as Error).message.split('\n')[0]!;
  }
}
const refused = mountTmpfs();
if (refused) process.stderr.write(`state-disk-full.test.ts skipped: cannot mount a tmpfs here (${refused})\n`);

/** Fills the tmpfs to its last block; returns the filler's path. */
function fillDisk(): string {
  const filler = join(dataDir, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (const size of [64 * 1024, 4096, 512]) {
      for (;;) {
        try {
          writeSync(fd, chunk, 0, size);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

(refused ? describe.skip : describe)('a full disk under the state database', () => {
  afterAll(() => {
    if (!refused) execFileSync('umount', [dataDir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 and keeps serving while full, then escalates the overdue alert exactly once', async () => {
    const options: StartOptions = {
      host: '127.0.0.1',
      httpPort: 0,
      mqttPort: 0,
      dataDir,
      model: writeShortWindowModel(dir, LEAF_SEC, 600),
      logger: false,
      store: 'memory',
      escalationCheckMs: 100,
      rollupPeriodMs: 3_600_000, // only the leaf's detector raises
      detectorCheckpointMs: 0,
    };
    const running = await startOpsroom(options);
    let filler: string | null = null;
    try {
      const token = await login(running.httpUrl, PLANNER.name, PLANNER.password);
      const device = await connectDevice(running.mqttUrl, DEVICE.id, DEVICE.secret);
      await publishStep(device, DEVICE.id);
      await device.endAsync();
      const openAlerts = async () => (await getJson<Alert[]>(running.httpUrl, '/api/alerts?state=open', token)).body;
      const raised = await until('the alert', async () => (await openAlerts())[0]);
      expect(raised.owner).toBe(DEVICE.node);
      filler = fillDisk();

      const ack = await fetch(`${running.httpUrl}/api/alerts/${raised.id}/ack`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ note: 'on it' }),
      });
      expect(ack.status).toBe(503);
      expect(ack.headers.get('retry-after')).toBe('5');
      const body = (await ack.json()) as { code: string; error: string };
      expect(body.code).toBe('OPS_ERR_STATE_UNAVAILABLE');
      expect(body.error).toMatch(/nothing was changed.*acknowledge not saved \(SQLITE_FULL: database or disk is full/);

      // Past the deadline: every escalation check fails, the server keeps answering.
      await new Promise((r) => setTimeout(r, Math.max(0, raised.deadline! - Date.now()) + 500));
      const health = await fetch(`${running.httpUrl}/healthz`);
      expect(health.status).toBe(503);
      const h = (await health.json()) as { components: Record<string, { ok: boolean; detail: string }> };
      expect(h.components.state!.ok).toBe(false);
      expect(h.components.state!.detail).toMatch(/saves failing since .* last: deadlines: SQLITE_FULL/);
      const metrics = await (await fetch(`${running.httpUrl}/metrics`)).text();
      const failed = /opsroom_state_save_failures_total\{operation="deadlines"\} (\d+)/.exec(metrics)?.[1];
      expect(Number(failed)).toBeGreaterThan(1);
      const during = (await getJson<Alert>(running.httpUrl, `/api/alerts/${raised.id}`, token)).body;
      expect(during).toMatchObject({ state: 'raised', owner: DEVICE.node });
      expect(during.trail.map((t) => t.action)).not.toContain('escalated');
      expect(during.trail.map((t) => t.action)).not.toContain('acknowledged');

      rmSync(filler);
      filler = null;
      const escalated = await until('the escalation', async () => {
        const a = (await getJson<Alert>(running.httpUrl, `/api/alerts/${raised.id}`, token)).body;
        return a.state === 'escalated' ? a : undefined;
      });
      expect(escalated.owner).toBe('site/area');
      await new Promise((r) => setTimeout(r, 500)); // five more checks
      const after = (await getJson<Alert>(running.httpUrl, `/api/alerts/${raised.id}`, token)).body;
      expect(after.trail.filter((t) => t.action === 'escalated')).toHaveLength(1);
      expect((await fetch(`${running.httpUrl}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${running.httpUrl}/metrics`)).text()).toMatch(/^opsroom_alerts_escalated_total 1$/m);
    } finally {
      if (filler) rmSync(filler);
      await running.close();
    }

    const second = await startOpsroom(options);
    try {
      const token = await login(second.httpUrl, PLANNER.name, PLANNER.password);
      const [a] = (await getJson<Alert[]>(second.httpUrl, '/api/alerts?state=open', token)).body;
      expect(a).toMatchObject({ state: 'escalated', owner: 'site/area' });
      expect(a!.trail.filter((t) => t.action === 'escalated')).toHaveLength(1);
    } finally {
      await second.close();
    }
  }, 60_000);
});
