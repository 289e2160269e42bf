import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAgent, type RunningAgent } from '@opsroom/edge-agent';
import { deviceTopic, type Alert } from '@opsroom/models';
import { connectDevice, demoCredentials, getJson, login, startTestServer } from '../support/demo-fixture.js';

/**
 * Issue 5 point 6: a planner's directive on an alert is published over MQTT to the devices of the
 * node that raised it; the real edge agent logs and acknowledges it, and the acknowledgement lands
 * in the alert's trail.
 */
describe('a directive travels down to the edge agent and its acknowledgement comes back', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let agent: RunningAgent | undefined;
  const creds = demoCredentials();
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
  });

  it('reaches the agent of the origin node, which acknowledges it into the trail', async () => {
    const [deviceId, secret] = Object.entries(creds.devices)[3]!;
    const node = server.model.devices.get(deviceId)!.node;
    const received: unknown[] = [];
    // Raise an alert at the node with a step change. A device has one MQTT session (its client id
    // is its device id), so this connection ends before the agent's starts.
    const device = await connectDevice(server.mqttUrl, deviceId, secret);
    const t0 = Date.now() - 200_000;
    const stream = Array.from({ length: 260 }, (_, i) => ({
      metric: 'water',
      value: (i < 220 ? 10 : 16) + ((i * 7) % 5) * 0.05,
      ts: t0 + i * 1000,
    }));
    await device.publishAsync(deviceTopic(deviceId, 'readings'), JSON.stringify(stream), { qos: 1 });
    await device.endAsync();
    // The real agent for that device, sampling once an hour: it only listens for directives here.
    agent = await startAgent(
      { deviceId, secret, brokerUrl: server.mqttUrl, sampleIntervalMs: 3_600_000 },
      { onDirective: (d) => received.push(d) },
    );
    // A new agent has no session yet: a directive sent before its commands subscription is granted
    // has nobody to go to (from then on its persistent session keeps them).
    for (let i = 0; i < 200 && !agent.stats().commandsSubscribed; i++) await new Promise((r) => setTimeout(r, 100));
    expect(agent.stats().commandsSubscribed).toBe(true);
    const planner = await login(server.httpUrl, 'planner', creds.users.planner!);
    let alert: Alert | undefined;
    for (let i = 0; i < 200 && !alert; i++) {
      alert = (
        await getJson<Alert[]>(server.httpUrl, `/api/alerts?state=open&node=${encodeURIComponent(node)}`, planner)
      ).body.find((a) => a.indicator === 'water');
      if (!alert) await new Promise((r) => setTimeout(r, 100));
    }
    expect(alert).toBeDefined();

    const res = await fetch(`${server.httpUrl}/api/alerts/${alert!.id}/directive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${planner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'close valve 3 and report' }),
    });
    expect(res.status).toBe(200);

    let trail: Alert['trail'] = [];
    for (let i = 0; i < 200; i++) {
      trail = (await getJson<Alert>(server.httpUrl, `/api/alerts/${alert!.id}`, planner)).body.trail;
      if (trail.some((t) => t.actor === `device:${deviceId}`)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(received).toEqual([
      expect.objectContaining({
        type: 'directive',
        alert: alert!.id,
        note: 'close valve 3 and report',
        from: 'planner',
      }),
    ]);
    expect(trail.find((t) => t.action === 'directive')).toMatchObject({
      actor: 'planner',
      note: 'close valve 3 and report',
      toNode: node,
    });
    expect(trail.at(-1)).toMatchObject({ actor: `device:${deviceId}`, note: 'directive received' });
    expect(agent.stats().directivesAcked).toBe(1);
  }, 60_000); // polls up to 20 s each for the alert and for the acknowledgement (a loaded machine)
});
