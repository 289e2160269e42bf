import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { startOpsroom } from '../src/start.js';
import { benchLogger } from './bench-logger.js';
import { STALL_MS } from './stall.js';
import { publisherProcess } from './publisher-process.js';

const REPO = new URL('../../', import.meta.url).pathname;
const MODEL = join(REPO, 'models/examples/valle.yaml');
const CREDS = JSON.parse(readFileSync(join(REPO, 'models/examples/valle.demo-credentials.json'), 'utf8')) as {
  devices: Record<string, string>;
};

export type Payload = 'single' | 'json100' | 'line100';

/**
 * Where the bench's device runs: `inline`, an mqtt.js client on this process's event loop (the
 * measured process then also pays for the device), or `process`, the same client and messages in
 * a process of its own (publisher-process.ts).
 */
export type PublisherPlace = 'inline' | 'process';

/**
 * CPU (user + system, µs) this process spent per message during the last rawBroker or fullPipeline
 * measurement: the subscriber's or the server's cost per message (with the device's too when it is inline).
 */
export let lastCpuPerMessage = NaN;
const noteCpu = (since: NodeJS.CpuUsage, messages: number) => {
  const d = process.cpuUsage(since);
  lastCpuPerMessage = (d.user + d.system) / messages;
};

/** `count` messages of the given shape, timestamps unique and recent (the store is idempotent on them). */
export function makeMessages(payload: Payload, count: number, t0: number): { messages: string[]; readings: number } {
  const messages: string[] = [];
  let ts = t0;
  for (let i = 0; i < count; i++) {
    if (payload === 'single') messages.push(JSON.stringify({ metric: 'output', value: 100 + (i % 7), ts: ts++ }));
    else if (payload === 'json100') {
      const batch = [];
      for (let j = 0; j < 100; j++) batch.push({ metric: 'output', value: 100 + (j % 7), ts: ts++ });
      messages.push(JSON.stringify(batch));
    } else {
      const lines = [];
      for (let j = 0; j < 100; j++) lines.push(`output value=${100 + (j % 7)} ${ts++}000000`);
      messages.push(lines.join('\n'));
    }
  }
  return { messages, readings: payload === 'single' ? count : count * 100 };
}

export async function publishAll(client: MqttClient, topic: string, messages: string[], qos: 0 | 1): Promise<void> {
  // Keep a bounded window in flight so QoS 1 does not wait for each PUBACK in turn.
  const window = 500;
  let next = 0;
  let acked = 0;
  let lastProgress = performance.now();
  let watchdog: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    let inFlight = 0;
    watchdog = setInterval(() => {
      if (performance.now() - lastProgress > STALL_MS)
        reject(
          new Error(
            `publishing stalled: ${acked} of ${messages.length} messages acknowledged, none in the last ${STALL_MS / 1000} s (BENCH_LOG=file shows the server's warnings)`,
          ),
        );
    }, 1000);
    const pump = () => {
      while (inFlight < window && next < messages.length) {
        inFlight++;
        client.publish(topic, messages[next++]!, { qos }, (err) => {
          inFlight--;
          acked++;
          lastProgress = performance.now();
          if (err) return reject(err);
          if (next >= messages.length && inFlight === 0) resolve();
          else pump();
        });
      }
    };
    pump();
  }).finally(() => clearInterval(watchdog));
}

/**
 * Raw broker: one mqtt.js publisher, one mqtt.js subscriber; messages per second delivered. The
 * broker is an aedes on TCP started here, or the broker at `brokerUrl` (an external Mosquitto).
 */
export async function rawBroker(
  payload: Payload,
  count: number,
  qos: 0 | 1,
  brokerUrl?: string,
  publisher: PublisherPlace = 'inline',
): Promise<number> {
  const aedes = brokerUrl ? null : await Aedes.createBroker();
  const server = aedes ? createServer(aedes.handle) : null;
  if (server) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = brokerUrl ?? `mqtt://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  const sub = await mqtt.connectAsync(url, { clientId: 'bench-sub' });
  const topic = deviceTopic('bench', 'readings');
  await sub.subscribeAsync(topic, { qos });
  const t0 = Date.now() - 3600_000;
  const pub = await device(publisher, { url, topic, payload, count, qos, t0, clientId: 'bench-pub' });
  let got = 0;
  const done = new Promise<void>((r) => sub.on('message', () => ++got === count && r()));
  const t = performance.now();
  const cpu = process.cpuUsage();
  await pub.publish();
  await done;
  const secs = (performance.now() - t) / 1000;
  noteCpu(cpu, count);
  await pub.close();
  await sub.endAsync();
  if (aedes) await new Promise<void>((r) => aedes.close(() => r()));
  if (server) await new Promise<void>((r) => server.close(() => r()));
  return count / secs;
}

/**
 * The full server (embedded store, roll-up, detection): readings per second stored. The broker is
 * the embedded one, or with `brokerUrl` an external broker (anonymous, e.g. a bench Mosquitto) that
 * both the device and the server's ingest client connect to.
 */
export async function fullPipeline(
  payload: Payload,
  count: number,
  qos: 0 | 1,
  brokerUrl?: string,
  overrides: Record<string, unknown> = {},
  publisher: PublisherPlace = 'inline',
): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-bench-'));
  const server = await startOpsroom({
    host: '127.0.0.1',
    httpPort: 0,
    mqttPort: 0,
    dataDir,
    model: MODEL,
    logger: benchLogger(),
    ...(brokerUrl ? { brokerUrl } : {}),
    ...overrides,
  });
  try {
    const deviceId = 'taller-1-plc';
    const readings = payload === 'single' ? count : count * 100;
    const pub = await device(publisher, {
      url: brokerUrl ?? server.mqttUrl,
      topic: deviceTopic(deviceId, 'readings'),
      payload,
      count,
      qos,
      t0: Date.now() - 3600_000,
      clientId: 'bench-device',
      ...(brokerUrl ? {} : { username: deviceId, password: CREDS.devices[deviceId] }),
    });
    const t = performance.now();
    const cpu = process.cpuUsage();
    await pub.publish();
    // Stored = counted by ingest after the store accepted them. A scrape of /metrics costs ~2 ms
    // of this process's CPU: polling every 20 ms while an external broker's backlog is stored took
    // ~8 % of it, so the next scrape comes when the rate so far says the rest should be stored
    // (10–200 ms).
    for (;;) {
      const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
      const m = /^opsroom_readings_accepted_total (\d+)/m.exec(text);
      const stored = m ? Number(m[1]) : 0;
      if (stored >= readings) break;
      const elapsed = performance.now() - t;
      const eta = stored > 0 ? ((readings - stored) * elapsed) / stored : 200;
      await new Promise((r) => setTimeout(r, Math.min(200, Math.max(10, eta * 0.8))));
      if (performance.now() - t > 120_000) throw new Error(`only ${stored} of ${readings} readings stored after 120 s`);
    }
    const secs = (performance.now() - t) / 1000;
    noteCpu(cpu, count);
    await pub.close();
    return readings / secs;
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export interface DeviceJob {
  url: string;
  topic: string;
  payload: Payload;
  count: number;
  qos: 0 | 1;
  t0: number;
  clientId: string;
  username?: string;
  password?: string;
}

/** The bench's device, connected: inline (on this event loop) or in a process of its own. */
export async function device(
  place: PublisherPlace,
  job: DeviceJob,
): Promise<{ publish(): Promise<void>; close(): Promise<void> }> {
  if (place === 'process') return publisherProcess(job);
  const { messages } = makeMessages(job.payload, job.count, job.t0);
  const pub = await mqtt.connectAsync(job.url, {
    clientId: job.clientId,
    ...(job.username ? { username: job.username, password: job.password } : {}),
  });
  return {
    publish: () => publishAll(pub, job.topic, messages, job.qos),
    close: async () => void (await pub.endAsync()),
  };
}
