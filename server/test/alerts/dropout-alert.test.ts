import { afterAll, describe, expect, it } from '@jest/globals';
import { deviceTopic, type Alert } from '@opsroom/models';
import { SILENCE_SCAN_MS } from '../../src/start.js';
import {
  connectDevice,
  connectSocket,
  demoCredentials,
  login,
  nextEvent,
  startTestServer,
  type OpsClient,
} from '../support/demo-fixture.js';

/**
 * Dropouts are alerted: a device series that sent 30 readings and then nothing for 15 s (its
 * interval is 1 s) raises a `dropout` alert at its node. The server's clock is injected and moved
 * on; the silence watch's own timer (every 5 s, real time) does the rest.
 */
describe('a device series that stops sending', () => {
  const clock = { offset: 0 };
  let server: Awaited<ReturnType<typeof startTestServer>> | null = null;
  let socket: OpsClient | null = null;
  afterAll(async () => {
    socket?.disconnect();
    await server?.stop();
  });

  it('raises one dropout alert at its node, naming the device and how long it is silent', async () => {
    server = await startTestServer({ now: () => Date.now() + clock.offset });
    const creds = demoCredentials();
    const [deviceId, secret] = Object.entries(creds.devices)[0]!;
    const node = server.model.devices.get(deviceId)!.node;
    socket = await connectSocket(server.httpUrl, await login(server.httpUrl, 'planner', creds.users.planner!));
    const raised: Alert[] = [];
    socket.on('alert:raised', (a) => raised.push(a));

    const device = await connectDevice(server.mqttUrl, deviceId, secret);
    const t0 = Date.now() - 30_000;
    for (let i = 0; i < 30; i++) {
      await device.publishAsync(
        deviceTopic(deviceId, 'readings'),
        JSON.stringify({ metric: 'water', value: 3.2 + 0.1 * Math.sin(1.7 * i), ts: t0 + 1000 * i }),
        { qos: 1 },
      );
    }
    const dropout = nextEvent(socket, 'alert:raised', (a: Alert) => a.kind === 'dropout', SILENCE_SCAN_MS + 5000);
    clock.offset = 16_000; // nothing for 16 s by the server's clock
    const [alert] = await dropout;
    expect(alert).toMatchObject({
      node,
      owner: node,
      indicator: 'water',
      kind: 'dropout',
      probability: 1,
      score: 1,
      state: 'raised',
    });
    expect(alert.value).toBeGreaterThanOrEqual(15);
    expect(alert.trail[0]!.note).toContain(deviceId);
    expect(alert.trail[0]!.note).toContain(new Date(t0 + 29_000).toISOString());

    // Still silent at the next scans: no second alert.
    clock.offset = 30_000;
    await new Promise((r) => setTimeout(r, SILENCE_SCAN_MS + 500));
    expect(raised.filter((a) => a.kind === 'dropout')).toHaveLength(1);
    await device.endAsync();
  }, 40_000);
});
