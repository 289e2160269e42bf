import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { demoCredentials, EXAMPLE_MODEL, login } from '../support/demo-fixture.js';
import { startMosquitto, type RunningMosquitto } from '../support/mosquitto.js';
import { findBinary } from '../support/require-binary.js';
import { spawnServer, type ServerProcess } from '../support/server-process.js';

const mosquittoBin = findBinary('mosquitto');
const d = mosquittoBin ? describe : describe.skip;

/**
 * Issue 7: with an external broker the server's ingest holds a persistent session and
 * acknowledges a message only after the store accepted it, so killing the server mid-stream loses
 * nothing: Mosquitto keeps what was not acknowledged and redelivers it after the restart.
 */
d('ingest from a real Mosquitto across a SIGKILL of the server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-sigkill-'));
  let broker: RunningMosquitto | undefined;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every reading exactly once', async () => {
    broker = await startMosquitto(mosquittoBin!);
    const options = { dataDir, model: EXAMPLE_MODEL, brokerUrl: broker.url };
    server = await spawnServer(options);

    const deviceId = 'taller-1-plc';
    const device = await mqtt.connectAsync(broker.url, { clientId: 'sigkill-device', username: deviceId });
    const n = 4000;
    const t0 = Date.now() - 3600_000;
    let sent = 0;
    const publishUpTo = async (k: number) => {
      const pending: Promise<unknown>[] = [];
      for (; sent < k; sent++)
        pending.push(
          device.publishAsync(
            deviceTopic(deviceId, 'readings'),
            JSON.stringify({ metric: 'energy', value: sent, ts: t0 + sent }),
            { qos: 1 },
          ),
        );
      await Promise.all(pending);
    };
    await publishUpTo(1500);
    await server.kill(); // mid-stream: some messages received, some stored, some not yet acknowledged
    await publishUpTo(n); // Mosquitto queues these for the server's persistent session
    await device.endAsync();

    server = await spawnServer(options);
    const token = await login(server.httpUrl, 'planner', demoCredentials().users.planner!);
    let points: Array<{ ts: number; value: number }> = [];
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const res = await fetch(
        `${server.httpUrl}/api/history?node=${encodeURIComponent('valle/norte/lana/taller-1')}&indicator=energy&from=${t0}&to=${t0 + n}&maxPoints=10000`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      points = ((await res.json()) as { points: typeof points }).points;
      if (points.length >= n) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(points).toHaveLength(n);
    expect(new Set(points.map((p) => p.ts)).size).toBe(n);
    expect(points.every((p, i) => p.ts === t0 + i && p.value === i)).toBe(true);
  }, 60_000);
});
