import { connect, type Socket as NetSocket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt, { type MqttClient } from 'mqtt';
import { io } from 'socket.io-client';
import { deviceTopic, mulberry32 } from '@opsroom/models';
import {
  connectDevice,
  connectSocket,
  demoCredentials,
  getJson,
  login,
  startTestServer,
} from '../support/demo-fixture.js';
import { recordAttacks } from '../support/attack-ledger.js';
import { startConfiguredMosquitto, type ConfiguredMosquitto } from '../support/configured-mosquitto.js';
import { findBinary } from '../support/require-binary.js';

/**
 * Issue 9 point 4: hostile input is rejected, counted by cause in /metrics, logged at a bounded
 * rate, and the server keeps serving. More than 1,000 generated bad messages (seeded, so a failure
 * replays) are mixed with good readings from one device over MQTT, through the embedded broker and
 * through Mosquitto configured by `opsroom broker-config` (issue 16 point 8).
 */

/** A seeded PRNG, so every run sends the same messages. */
const prng = mulberry32;

interface Message {
  channel: 'readings' | 'status';
  payload: string | Buffer;
  /** Good readings it carries (ts of each), or null for a message in which every reading is bad. */
  good: number[] | null;
  kind: string;
}

/** Bad payloads, each carrying no acceptable reading at all. */
function badMessage(rand: () => number, now: number): Message {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (n: number) => Math.floor(rand() * n);
  const ts = now - 60_000;
  const good = JSON.stringify([
    { metric: 'output', value: 1.5, ts },
    { metric: 'energy', value: 2, ts },
  ]);
  const kinds: Array<[string, () => string | Buffer, Message['channel']?]> = [
    ['truncated json', () => good.slice(0, 1 + int(good.length - 1))],
    ['garbage json', () => '{' + Array.from({ length: 1 + int(40) }, () => String.fromCharCode(32 + int(95))).join('')],
    ['json NaN literal', () => '{"metric":"output","value":NaN}'],
    [
      'NaN as string',
      () => JSON.stringify({ metric: 'output', value: pick(['NaN', 'Infinity', '-Infinity', '1e999', '12']), ts }),
    ],
    ['Infinity as number', () => `{"metric":"output","value":${pick(['1e999', '-1e999', '1e400'])},"ts":${ts}}`],
    [
      'wrong shape',
      () =>
        pick([
          '{}',
          '[]x',
          '{"value":1}',
          '{"metric":5,"value":1}',
          '{"metric":"output"}',
          '[1,2,3]',
          '[null]',
          '{"values":"x"}',
          '{"values":{"output":"1"}}',
          '[[{"metric":"output","value":1}]]',
          '{"metric":["output"],"value":1}',
        ]),
    ],
    [
      'huge timestamp',
      () => JSON.stringify({ metric: 'output', value: 1, ts: pick([1e20, -1, 8.64e15 + 1, Number.MAX_SAFE_INTEGER]) }),
    ],
    ['far past', () => JSON.stringify({ metric: 'output', value: 1, ts: now - (8 + int(3000)) * 86_400_000 })],
    [
      'far future',
      () =>
        JSON.stringify({
          metric: 'output',
          value: 1,
          ts: pick([now + 3_600_000, now + 365 * 86_400_000, '2999-01-01T00:00:00Z']),
        }),
    ],
    [
      'bad ts string',
      () => JSON.stringify({ metric: 'output', value: 1, ts: pick(['yesterday', '', '2026-13-45', '{}']) }),
    ],
    [
      'unknown metric',
      () => JSON.stringify({ metric: pick(['nosuch', 'outputs', 'OUTPUT', 'energy2']), value: 1, ts }),
    ],
    [
      'bad metric name',
      () => JSON.stringify({ metric: pick(['../etc', 'a b', '', 'x'.repeat(300), 'out\nput', '$sys']), value: 1, ts }),
    ],
    [
      'bad line protocol',
      () =>
        pick([
          'output value=',
          'output value=notanumber',
          'output',
          ',,,',
          'output value=1 notatime',
          'output,=x value=1',
          '=1',
          'output value=1i2',
          'output value="str"',
          ' value=1',
          'output value=NaN',
          'output value=Infinity',
          'output value=1 99999999999999999999999',
        ]),
    ],
    ['line protocol, unknown metric', () => `nosuch value=${int(100)}`],
    [
      'binary junk',
      () => Buffer.from(Array.from({ length: 16 + int(200) }, (_, i) => (i === 0 ? 1 + int(120) : int(256)))),
    ],
    ['status NaN', () => JSON.stringify({ metric: 'cpu', value: 'NaN' }), 'status'],
    ['status garbage', () => '{"metric":"cpu",', 'status'],
  ];
  const [kind, make, channel] = pick(kinds);
  return { kind, payload: make(), good: null, channel: channel ?? 'readings' };
}

/** Good readings: JSON single, JSON batch, `values` map of one metric, or line protocol (ns). */
function goodMessage(rand: () => number, nextTs: () => number): Message {
  const v = () => Math.round(rand() * 10_000) / 100;
  const r = rand();
  if (r < 0.3) {
    const ts = nextTs();
    return {
      kind: 'good json',
      channel: 'readings',
      payload: JSON.stringify({ metric: 'output', value: v(), ts }),
      good: [ts],
    };
  }
  if (r < 0.6) {
    const tss = Array.from({ length: 1 + Math.floor(rand() * 5) }, nextTs);
    return {
      kind: 'good batch',
      channel: 'readings',
      payload: JSON.stringify(tss.map((ts) => ({ metric: 'output', value: v(), ts }))),
      good: tss,
    };
  }
  if (r < 0.8) {
    const ts = nextTs();
    return {
      kind: 'good values',
      channel: 'readings',
      payload: JSON.stringify({ ts: new Date(ts).toISOString(), values: { output: v() } }),
      good: [ts],
    };
  }
  const tss = Array.from({ length: 1 + Math.floor(rand() * 3) }, nextTs);
  return {
    kind: 'good line',
    channel: 'readings',
    payload: tss.map((ts) => `output,site=a value=${v()} ${ts}000000`).join('\n'),
    good: tss,
  };
}

const metricsText = async (url: string) => (await fetch(`${url}/metrics`)).text();
/** opsroom_decode_messages_total by path (process-wide counts). */
const decodePaths = (text: string) => ({
  fast: Number(/^opsroom_decode_messages_total\{path="fast"\} (\d+)/m.exec(text)?.[1] ?? NaN),
  fallback: Number(/^opsroom_decode_messages_total\{path="fallback"\} (\d+)/m.exec(text)?.[1] ?? NaN),
});
function rejectedByCause(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^opsroom_readings_rejected_total\{cause="([a-z_]+)"\} (\d+)$/gm))
    out[m[1]!] = Number(m[2]);
  return out;
}
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

const mosquitto = findBinary('mosquitto');
type Broker = 'embedded' | 'mosquitto';
const brokers: Array<[string, Broker]> = [
  ['the embedded broker', 'embedded'],
  ...(mosquitto ? [['Mosquitto configured by opsroom broker-config', 'mosquitto'] as [string, Broker]] : []),
];

/**
 * The MQTT attacks run through each broker: the embedded one (in-process ingest, whose PUBACK
 * waits for the store) and a real Mosquitto configured only by `opsroom broker-config`, read by the
 * server's ingest account (the PUBACK is Mosquitto's, so the test waits for a marker reading sent
 * last). The HTTP and socket.io attacks do not depend on the broker and run once.
 */
describe.each(brokers)('hostile input through %s', (brokerName, broker) => {
  const creds = demoCredentials();
  const deviceId = 'taller-2-plc';
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let external: ConfiguredMosquitto | undefined;
  let mqttUrl: string;
  let planner: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    const logger = { level: 'debug', stream: { write: (line: string) => void logLines.push(line) } } as const;
    if (broker === 'mosquitto') {
      external = await startConfiguredMosquitto(mosquitto!, 'server-pw-for-the-fuzz-test');
      server = await startTestServer({ logger, brokerUrl: external.serverUrl });
      mqttUrl = external.url;
    } else {
      server = await startTestServer({ logger });
      mqttUrl = server.mqttUrl;
    }
    planner = await login(server.httpUrl, 'planner', creds.users.planner!);
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await external?.stop();
  });

  /**
   * Resolves once the server has handled everything the device published before: a last reading
   * (at `ts`, outside the windows the tests read) is in the store. Ingest from an external broker
   * takes messages one at a time, in order.
   */
  let markers = 0;
  const handled = async (device: MqttClient) => {
    const node = server.model.devices.get(deviceId)!.node;
    const ts = Date.now() + 60_000 + ++markers;
    await device.publishAsync(deviceTopic(deviceId, 'readings'), JSON.stringify({ metric: 'output', value: 1, ts }), {
      qos: 1,
    });
    for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      const h = await getJson<{ points: Array<{ ts: number }> }>(
        server.httpUrl,
        `/api/history?node=${encodeURIComponent(node)}&indicator=output&from=${ts}&to=${ts}`,
        planner,
      );
      if (h.body.points.length > 0) return;
    }
    throw new Error(`the server did not ingest the marker reading through ${brokerName}`);
  };

  it('stores every good reading among more than 1,000 bad messages, counts the rejections by cause and keeps serving', async () => {
    const rand = prng(20260901);
    const now = Date.now();
    const t0 = now - 2 * 3600_000;
    let tsCounter = 0;
    const nextTs = () => t0 + ++tsCounter * 997; // distinct, increasing, inside the last two hours
    const messages: Message[] = [];
    for (let i = 0; i < 1100; i++) messages.push(badMessage(rand, now));
    for (let i = 0; i < 400; i++) messages.push(goodMessage(rand, nextTs));
    // The big ones: oversized payloads (> 256 KiB) and huge batches (> 10,000 readings).
    for (let i = 0; i < 4; i++) {
      messages.push({
        kind: 'oversized json',
        channel: 'readings',
        payload: JSON.stringify({ metric: 'output', value: 1, pad: 'x'.repeat(300 * 1024) }),
        good: null,
      });
      messages.push({
        kind: 'oversized line',
        channel: 'readings',
        payload: `output value=1 ${now}000000\n`.repeat(12_000),
        good: null,
      });
      messages.push({
        kind: 'huge json batch',
        channel: 'readings',
        payload: JSON.stringify(new Array(10_001).fill(0)),
        good: null,
      });
      messages.push({
        kind: 'huge line batch',
        channel: 'readings',
        payload: 'nosuch v=1\n'.repeat(10_001),
        good: null,
      });
    }
    // Shuffle (Fisher–Yates with the same PRNG).
    for (let i = messages.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [messages[i], messages[j]] = [messages[j]!, messages[i]!];
    }
    const bad = messages.filter((m) => m.good === null);
    const goodTs = messages.flatMap((m) => m.good ?? []);
    expect(bad.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(bad.map((m) => m.kind)).size).toBeGreaterThanOrEqual(20);

    const before = rejectedByCause(await metricsText(server.httpUrl));
    const pathsBefore = decodePaths(await metricsText(server.httpUrl));
    const device = await connectDevice(mqttUrl, deviceId, creds.devices[deviceId]!);
    for (const m of messages) await device.publishAsync(deviceTopic(deviceId, m.channel), m.payload, { qos: 1 });
    expect(device.connected).toBe(true); // bad payloads never cost the device its connection
    await handled(device);
    await device.endAsync();

    const node = server.model.devices.get(deviceId)!.node;
    const history = await getJson<{ points: Array<{ ts: number }> }>(
      server.httpUrl,
      `/api/history?node=${encodeURIComponent(node)}&indicator=output&from=${t0}&to=${now}`,
      planner,
    );
    expect(history.status).toBe(200);
    expect(history.body.points.map((p) => p.ts)).toEqual(goodTs.sort((a, b) => a - b));

    const after = rejectedByCause(await metricsText(server.httpUrl));
    const counted = sum(after) - sum(before);
    expect(counted).toBeGreaterThanOrEqual(bad.length);
    for (const cause of [
      'malformed_json',
      'malformed_line_protocol',
      'bad_shape',
      'bad_value',
      'bad_metric',
      'bad_timestamp',
      'timestamp_out_of_range',
      'unknown_metric',
      'payload_too_large',
      'too_many_readings',
    ]) {
      expect({ cause, counted: (after[cause] ?? 0) > (before[cause] ?? 0) }).toEqual({ cause, counted: true });
    }
    expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200);
    // Refusals come from the exact decoder: every message the fast scanner was unsure of went there, and is counted.
    const paths = decodePaths(await metricsText(server.httpUrl));
    expect(paths.fallback - pathsBefore.fallback).toBeGreaterThanOrEqual(
      bad.filter((m) => m.channel === 'readings').length / 2,
    );
    expect(paths.fast + paths.fallback - pathsBefore.fast - pathsBefore.fallback).toBeLessThanOrEqual(
      messages.length + 1,
    ); // and the marker

    // Logged at a bounded rate: a few lines per device and cause, not one per message.
    const rejectLogs = logLines.filter((l) => l.includes('ingest: rejected input'));
    expect(rejectLogs.length).toBeGreaterThan(0);
    expect(rejectLogs.length).toBeLessThanOrEqual(5 * Object.keys(after).length);
    recordAttacks(`bad messages of the fuzz corpus (${broker})`, bad.length);
  }, 120_000);

  it("refuses publishes outside the device's own readings and status topics, stores none of them, and keeps serving", async () => {
    const t = Date.now() - 10_000;
    const payload = JSON.stringify({ metric: 'output', value: 999, ts: t });
    const odd = [
      deviceTopic('aserradero-plc', 'readings'),
      deviceTopic(deviceId, 'commands'),
      deviceTopic(deviceId, 'rejects'),
      `${deviceTopic(deviceId, 'readings')}/extra`,
      'opsroom/v1/devices/taller-2-plc',
      'opsroom/v1/devices//readings',
      'opsroom/v2/devices/taller-2-plc/readings',
      '$SYS/broker/x',
      `opsroom/v1/devices/${'x'.repeat(5000)}/readings`,
      'opsroom/v1/devices/taller-2-plc/readings\u0000',
    ];
    let n = 0;
    for (const topic of odd) {
      const c = await mqtt.connectAsync(mqttUrl, {
        username: deviceId,
        password: creds.devices[deviceId],
        clientId: `odd-${process.pid}-${n++}`,
        reconnectPeriod: 0,
      });
      // A refused QoS 1 publish ends the connection (aedes) or is dropped: settle on either.
      await Promise.race([
        c.publishAsync(topic, payload, { qos: 1 }).catch(() => undefined),
        new Promise<void>((r) => c.once('close', () => r())),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]);
      await c.endAsync(true);
    }
    const marker = await connectDevice(mqttUrl, deviceId, creds.devices[deviceId]!);
    await handled(marker);
    await marker.endAsync();
    for (const node of ['valle/sur/madera/aserradero', server.model.devices.get(deviceId)!.node]) {
      const h = await getJson<{ points: Array<{ value: number }> }>(
        server.httpUrl,
        `/api/history?node=${encodeURIComponent(node)}&indicator=output&from=${t - 1}&to=${t + 1}`,
        planner,
      );
      expect({ node, points: h.body.points }).toEqual({ node, points: [] });
    }
    expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200);
    recordAttacks(`publishes outside the device's own topics (${broker})`, odd.length);
  });

  // Not about the broker: run once, against the server of the embedded broker.
  if (broker !== 'embedded') return;

  it('keeps answering other requests while slow clients dribble their headers byte by byte', async () => {
    const slow: NetSocket[] = [];
    const request = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(200)}\r\n`;
    const timers: NodeJS.Timeout[] = [];
    try {
      for (let k = 0; k < 50; k++) {
        const s = connect(server.httpPort, '127.0.0.1');
        s.on('error', () => undefined);
        slow.push(s);
        let i = 0;
        timers.push(setInterval(() => i < request.length && s.write(request[i++]!), 50));
      }
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < 10; i++) {
        const started = Date.now();
        const res = await fetch(`${server.httpUrl}/api/me`, { headers: { authorization: `Bearer ${planner}` } });
        expect(res.status).toBe(200);
        expect(Date.now() - started).toBeLessThan(1000);
      }
    } finally {
      for (const t of timers) clearInterval(t);
      for (const s of slow) s.destroy();
    }
    recordAttacks('slow HTTP clients dribbling headers', 50);
  });

  it('drops a socket.io client that sends a message over 16 KiB and keeps serving the others', async () => {
    const victim = await connectSocket(server.httpUrl, planner);
    const bystander = await connectSocket(server.httpUrl, planner);
    const reason = new Promise<string>((resolve) => victim.once('disconnect', (r) => resolve(r)));
    (victim as unknown as { emit(ev: string, payload: string): void }).emit('snapshot', 'x'.repeat(64 * 1024));
    expect(await reason).toMatch(/transport (close|error)/);
    // The server still answers the other socket, HTTP, and new connections.
    const snap = await bystander.timeout(5000).emitWithAck('snapshot');
    expect(Array.isArray(snap)).toBe(true);
    expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200);
    const again = await connectSocket(server.httpUrl, planner);
    again.disconnect();
    bystander.disconnect();
    // And over long-polling, an oversized POST body is refused without harm.
    const polling = io(server.httpUrl, { auth: { token: planner }, transports: ['polling'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      polling.once('hello', () => resolve());
      polling.once('connect_error', reject);
    });
    const dropped = new Promise<string>((resolve) => polling.once('disconnect', (r) => resolve(r)));
    (polling as unknown as { emit(ev: string, payload: string): void }).emit('snapshot', 'y'.repeat(64 * 1024));
    expect(await dropped).toMatch(/transport (close|error)/);
    polling.close();
    victim.close();
    expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200);
    recordAttacks('socket.io messages over 16 KiB (websocket and polling)', 2);
  });

  it('never writes device secrets, passwords or session tokens to the log', async () => {
    // One wrong and one right login add their lines to what the tests above logged.
    await fetch(`${server.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'council-sur', password: 'wrong-password-xyz' }),
    });
    const token = await login(server.httpUrl, 'council-sur', creds.users['council-sur']!);
    await fetch(`${server.httpUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    await expect(connectDevice(server.mqttUrl, 'horno-2-plc', 'wrong-device-secret-xyz')).rejects.toThrow();
    const text = logLines.join('');
    expect(logLines.length).toBeGreaterThan(10);
    const secrets = [
      ...Object.values(creds.devices),
      ...Object.values(creds.users),
      'wrong-password-xyz',
      'wrong-device-secret-xyz',
      token,
      planner,
    ];
    expect(secrets.filter((s) => text.includes(s))).toEqual([]);
    recordAttacks('secrets, passwords and tokens to be logged', 1);
  });
});
