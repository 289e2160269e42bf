import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import {
  connectDevice,
  connectSocket,
  demoCredentials,
  getJson,
  login,
  nextEvent,
  publishEach,
  startTestServer,
  type OpsClient,
} from '../support/demo-fixture.js';
import { stepStream } from '../support/step-stream.js';

/**
 * The whole data flow on embedded defaults, real parts only: a device publishes over TCP to the
 * embedded broker, ingest validates and stores, the VSM detectors see a step change, an alert is
 * raised and reaches an authenticated socket.io client; the readings come back from the history API.
 */
describe('the end-to-end flow on embedded defaults', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const creds = demoCredentials();
  const sockets: OpsClient[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server?.stop();
  });

  it('raises an alert for a step change published by a device, and serves the readings back', async () => {
    const [deviceId, secret] = Object.entries(creds.devices)[0]!;
    const node = server.model.devices.get(deviceId)!.node;
    const planner = await login(server.httpUrl, 'planner', creds.users.planner!);
    const socket = await connectSocket(server.httpUrl, planner);
    sockets.push(socket);
    const raised = nextEvent(socket, 'alert:raised', (a: Alert) => a.node === node && a.indicator === 'output', 20_000);

    // A council that does not contain the device's node must not hear of it.
    const otherCouncil = [...server.model.users.values()].find(
      (u) => u.role === 'council' && !node.startsWith(u.scope + '/'),
    )!;
    const outsider = await connectSocket(
      server.httpUrl,
      await login(server.httpUrl, otherCouncil.name, creds.users[otherCouncil.name]!),
    );
    sockets.push(outsider);
    const leaked: Alert[] = [];
    outsider.on('alert:raised', (a) => leaked.push(a));

    const device = await connectDevice(server.mqttUrl, deviceId, secret);
    const n = 260;
    const stepAt = 220; // after the detector's 150 readings of learning
    const stream = stepStream({ n, stepAt });
    const t0 = stream[0]!.ts;
    await publishEach(device, deviceId, stream);
    await device.endAsync();

    const [alert] = await raised;
    expect(alert.node).toBe(node);
    expect(alert.owner).toBe(node);
    expect(alert.state).toBe('raised');
    expect(['change', 'step']).toContain(alert.kind); // it opens as 'change': at the first outlier a step and a transient look alike
    expect(alert.summary).toMatch(/output .*% sure\. Since /i);
    expect(alert.score).toBeGreaterThanOrEqual(0.9);
    expect(alert.raisedAt).toBeGreaterThan(0);
    expect(alert.deadline).toBe(alert.raisedAt + server.model.nodes.get(node)!.correctionWindowSec * 1000);
    expect(leaked).toEqual([]);

    const history = await getJson<{ points: Array<{ ts: number; value: number }> }>(
      server.httpUrl,
      `/api/history?node=${encodeURIComponent(node)}&indicator=output&from=${t0}&to=${Date.now()}`,
      planner,
    );
    expect(history.status).toBe(200);
    expect(history.body.points).toHaveLength(n);
    expect(history.body.points[0]!.ts).toBe(t0);
    expect(history.body.points[stepAt]!.value).toBeGreaterThan(150);

    const alerts = await getJson<Alert[]>(server.httpUrl, '/api/alerts?state=open', planner);
    expect(alerts.body.filter((a) => a.node === node && a.indicator === 'output').map((a) => a.id)).toEqual([alert.id]); // one alert per ongoing anomaly
    // Once the readings at the new level are in, the same alert says it was a step.
    const latest = await getJson<Alert>(server.httpUrl, `/api/alerts/${alert.id}`, planner);
    expect(latest.body.kind).toBe('step');
    expect(latest.body.probability).toBeGreaterThan(0.5);
  });

  it("hides the history of nodes outside a council user's scope (404, not 403)", async () => {
    const [deviceId] = Object.keys(creds.devices);
    const node = server.model.devices.get(deviceId!)!.node;
    const otherCouncil = [...server.model.users.values()].find(
      (u) => u.role === 'council' && !node.startsWith(u.scope + '/'),
    )!;
    const token = await login(server.httpUrl, otherCouncil.name, creds.users[otherCouncil.name]!);
    const res = await getJson(server.httpUrl, `/api/history?node=${encodeURIComponent(node)}&indicator=output`, token);
    expect(res.status).toBe(404);
  });
});
