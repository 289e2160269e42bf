import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deviceTopic, type Alert } from '@opsroom/models';
import { findBinary } from '../support/require-binary.js';
import { stepStream } from '../support/step-stream.js';
import {
  connectSocket,
  demoCredentials,
  getJson,
  login,
  nextEvent,
  startTestServer,
  type OpsClient,
} from '../support/demo-fixture.js';

const mosquittoPub = findBinary('mosquitto_pub');
const d = mosquittoPub ? describe : describe.skip;

const seven = (n: number, stepAt: number) => stepStream({ n, stepAt, seed: 7 });

/** The same flow driven by a client nobody here wrote: Mosquitto's mosquitto_pub, against the embedded broker. */
d('mosquitto_pub against the embedded broker', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let socket: OpsClient;
  let token: string;
  const creds = demoCredentials();
  const [deviceId, secret] = Object.entries(creds.devices)[1]!;

  beforeAll(async () => {
    server = await startTestServer();
    token = await login(server.httpUrl, 'planner', creds.users.planner!);
    socket = await connectSocket(server.httpUrl, token);
  });
  afterAll(async () => {
    socket?.disconnect();
    await server?.stop();
  });

  const pubWithInput = (payload: string, user = deviceId, pass = secret) =>
    new Promise<number>((resolve, reject) => {
      const child = execFile(
        mosquittoPub!,
        [
          '-h',
          '127.0.0.1',
          '-p',
          String(server.mqttPort),
          '-u',
          user,
          '-P',
          pass,
          '-q',
          '1',
          '-t',
          deviceTopic(user, 'readings'),
          '-s',
        ],
        { timeout: 10_000 },
        (err) => {
          if (err && typeof err.code !== 'number') reject(err);
        },
      );
      child.on('exit', (code) => resolve(code ?? -1));
      child.stdin!.end(payload);
    });

  it('stores a JSON batch published with mosquitto_pub and raises the step alert', async () => {
    const node = server.model.devices.get(deviceId)!.node;
    const raised = nextEvent(socket, 'alert:raised', (a: Alert) => a.node === node && a.indicator === 'output', 15_000);
    const stream = seven(250, 210); // past the detector's 150 readings of learning
    expect(
      await pubWithInput(JSON.stringify(stream.map((p) => ({ metric: 'output', value: p.value, ts: p.ts })))),
    ).toBe(0);
    const [alert] = await raised;
    const h = await getJson<{ points: unknown[] }>(
      server.httpUrl,
      `/api/history?node=${encodeURIComponent(node)}&indicator=output&from=${stream[0]!.ts}`,
      token,
    );
    expect(h.body.points).toHaveLength(stream.length);
    expect((await getJson<Alert>(server.httpUrl, `/api/alerts/${alert.id}`, token)).body.kind).toBe('step');
  });

  it('stores InfluxDB line protocol published with mosquitto_pub (nanosecond timestamps)', async () => {
    const node = server.model.devices.get(deviceId)!.node;
    const raised = nextEvent(socket, 'alert:raised', (a: Alert) => a.node === node && a.indicator === 'energy', 15_000);
    const stream = seven(250, 210); // past the detector's 150 readings of learning
    const lines = stream.map((p) => `energy,site=test value=${p.value} ${p.ts}000000`).join('\n');
    expect(await pubWithInput(lines)).toBe(0);
    await raised;
    const h = await getJson<{ points: Array<{ ts: number; value: number }> }>(
      server.httpUrl,
      `/api/history?node=${encodeURIComponent(node)}&indicator=energy&from=${stream[0]!.ts}`,
      token,
    );
    expect(h.body.points.map((p) => p.ts)).toEqual(stream.map((p) => p.ts));
  });

  it('refuses a device that publishes with a wrong secret', async () => {
    const code = await pubWithInput('[{"metric":"output","value":1}]', deviceId, 'wrong-secret');
    expect(code).not.toBe(0);
  });

  it('counts malformed payloads in /metrics and keeps serving', async () => {
    expect(await pubWithInput('{"metric": "output", "value": ')).toBe(0);
    expect(await pubWithInput('output value=notanumber')).toBe(0);
    // The rejection is counted once the server has seen the message; poll briefly.
    let text = '';
    for (let i = 0; i < 50 && !/cause="malformed_line_protocol"/.test(text); i++) {
      text = await (await fetch(`${server.httpUrl}/metrics`)).text();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toMatch(/opsroom_readings_rejected_total\{cause="malformed_json"\} 1/);
    expect(text).toMatch(/opsroom_readings_rejected_total\{cause="malformed_line_protocol"\} 1/);
    expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200);
  });
});
