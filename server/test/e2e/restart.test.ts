import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { deviceTopic, type IndicatorUpdate } from '@opsroom/models';
import { connectDevice, demoCredentials, getJson, login, startTestServer } from '../support/demo-fixture.js';

// Both places the embedded store can run its writes: the event loop (default) and a worker thread.
describe.each(['main', 'thread'] as const)('a restart on the same data directory (store writer: %s)', (storeWriter) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('finds the earlier readings in the history and the latest values in the live view', async () => {
    const creds = demoCredentials();
    const [deviceId, secret] = Object.entries(creds.devices)[2]!;
    const first = await startTestServer({ dataDir, storeWriter });
    const node = first.model.devices.get(deviceId)!.node;
    const t0 = Date.now() - 10_000;
    const device = await connectDevice(first.mqttUrl, deviceId, secret);
    await device.publishAsync(
      deviceTopic(deviceId, 'readings'),
      JSON.stringify([1, 2, 3].map((i) => ({ metric: 'water', value: i * 10, ts: t0 + i }))),
      { qos: 1 },
    );
    await device.endAsync();
    // Stopping flushes: PUBACK came after the store write, and close() closes the database last.
    await first.stop();

    const second = await startTestServer({ dataDir, storeWriter });
    try {
      const token = await login(second.httpUrl, 'planner', creds.users.planner!);
      const h = await getJson<{ points: Array<{ ts: number; value: number }> }>(
        second.httpUrl,
        `/api/history?node=${encodeURIComponent(node)}&indicator=water&from=${t0}`,
        token,
      );
      expect(h.body.points).toEqual([1, 2, 3].map((i) => ({ ts: t0 + i, value: i * 10 })));
      const latest = await getJson<IndicatorUpdate[]>(
        second.httpUrl,
        `/api/latest?node=${encodeURIComponent(node)}`,
        token,
      );
      expect(latest.body.find((u) => u.indicator === 'water')).toMatchObject({ node, value: 30, stale: false });
    } finally {
      await second.stop();
    }
    // Two server starts and stops: about 2 s alone, past jest's default 5 s on a loaded two-core machine (a CI run of
    // 2026-12-07 timed out here).
  }, 30_000);
});
