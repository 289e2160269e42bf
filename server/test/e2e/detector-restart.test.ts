import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Alert, IndicatorUpdate } from '@opsroom/models';
import { CHECKPOINT_FILE } from '../../src/vsm/detector-checkpoint.js';
import {
  connectDevice,
  demoCredentials,
  getJson,
  login,
  publishEach,
  startTestServer,
} from '../support/demo-fixture.js';
import { stepStream } from '../support/step-stream.js';

/**
 * Issue 14: a restart does not reopen the detectors' learning period. A device series is fed 200
 * readings (past the 150 of learning), the server is closed (which writes <dataDir>/detectors.ckpt)
 * and started again on the same data directory: the series' detector continues, so a 10σ step
 * right after the restart is alerted and the indicator is not `learning`. The control run deletes
 * the checkpoint before the restart: the same step then meets a detector that is learning again
 * and raises nothing. The server's clock is injected (fixed per phase), so raisedAt is known.
 */
describe('detectors across a restart on the same data directory', () => {
  const creds = demoCredentials();
  const [deviceId, secret] = Object.entries(creds.devices)[0]!;
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Runs both phases; with `keepCheckpoint` false the checkpoint is deleted between them. */
  async function restartWithStep(
    keepCheckpoint: boolean,
  ): Promise<{ alerts: Alert[]; update: IndicatorUpdate | undefined; restartedAt: number }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-detector-restart-'));
    dirs.push(dataDir);
    const clock = { t: Date.now() };
    const before = stepStream({ n: 200, stepAt: 200, from: 100, t0: clock.t - 200_000 }); // no step: a steady level, noise sd 4/√12 ≈ 1.15

    const first = await startTestServer({ dataDir, now: () => clock.t });
    const node = first.model.devices.get(deviceId)!.node;
    const device = await connectDevice(first.mqttUrl, deviceId, secret);
    await publishEach(device, deviceId, before);
    await device.endAsync();
    await first.stop();
    expect(existsSync(join(dataDir, CHECKPOINT_FILE))).toBe(true);
    if (!keepCheckpoint) rmSync(join(dataDir, CHECKPOINT_FILE));

    clock.t += 60_000;
    const restartedAt = clock.t;
    const second = await startTestServer({ dataDir, now: () => clock.t });
    try {
      const again = await connectDevice(second.mqttUrl, deviceId, secret);
      // A 10σ step: 100 → 111.5, four readings at the new level, one second apart, right after the restart.
      const step = stepStream({ n: 4, stepAt: 0, from: 100, to: 111.5, seed: 7, t0: restartedAt - 4000 });
      await publishEach(again, deviceId, step);
      await again.endAsync();
      // PUBACK follows the store write and the live model's update (and so the alert decision).
      const token = await login(second.httpUrl, 'planner', creds.users.planner!);
      const alerts = (
        await getJson<Alert[]>(second.httpUrl, `/api/alerts?state=open&node=${encodeURIComponent(node)}`, token)
      ).body.filter((a) => a.indicator === 'output');
      // The live view is recomputed every liveFlushMs (250 ms, real time).
      let update: IndicatorUpdate | undefined;
      for (let i = 0; i < 40 && !(update && update.ts === step.at(-1)!.ts); i++) {
        await new Promise((r) => setTimeout(r, 100));
        update = (
          await getJson<IndicatorUpdate[]>(second.httpUrl, `/api/latest?node=${encodeURIComponent(node)}`, token)
        ).body.find((u) => u.node === node && u.indicator === 'output');
      }
      return { alerts, update, restartedAt };
    } finally {
      await second.stop();
    }
  }

  it('restores the detector from its checkpoint: not learning, and a 10σ step right after the restart raises an alert', async () => {
    const { alerts, update, restartedAt } = await restartWithStep(true);
    expect(update).toMatchObject({ learning: false, stale: false });
    expect(update!.value).toBeGreaterThan(108);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ state: 'raised', raisedAt: restartedAt });
    expect(alerts[0]!.value).toBeGreaterThan(108);
  }, 60_000);

  it('writes the checkpoint while running, every detectorCheckpointMs (--detector-checkpoint-ms), not only at close', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-detector-periodic-'));
    dirs.push(dataDir);
    const server = await startTestServer({ dataDir, detectorCheckpointMs: 200 });
    try {
      const device = await connectDevice(server.mqttUrl, deviceId, secret);
      await publishEach(device, deviceId, [{ ts: Date.now(), value: 1 }]);
      await device.endAsync();
      const file = join(dataDir, CHECKPOINT_FILE);
      for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(file)).toBe(true); // the server is still running: a periodic checkpoint wrote it
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('without the checkpoint the same step meets a detector learning again, and raises nothing (the control)', async () => {
    const { alerts, update } = await restartWithStep(false);
    expect(update).toMatchObject({ learning: true, stale: false });
    expect(alerts).toEqual([]);
  }, 60_000);
});
