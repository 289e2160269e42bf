/**
 * Alert latency under load: the real server (embedded broker and store, demo model) carries
 * background single-reading QoS 1 messages from one device at a fixed rate, while probes measure
 * the time from publishing an anomalous reading to the `alert:raised` event at a socket.io client
 * logged in as the planner. Load generator, server and client share this process (as in the
 * throughput rows), so the figures include their contention for the event loop.
 *
 * A probe is a fresh (node, indicator) series: 200 steady readings 1 s apart with past timestamps (past the
 * detector's learning period of 150, during which nothing is raised),
 * published as one message and acknowledged (PUBACK = stored and seen by the detector) before the
 * clock starts, then one reading stepped up 10 %, which the default detector flags at once. The
 * alert service keeps one alert per (node, indicator), so each probe uses another pair: the demo
 * model's 13 workshops without the loaded one × 6 indicators = 78 probes per run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { startOpsroom } from '../src/start.js';
import { CYBERSTRIDE_DEFAULTS } from '../src/vsm/detectors/cyberstride.js';
import { benchLogger } from './bench-logger.js';
import { STALL_MS, within } from './stall.js';
import { connectDevice, connectSocket, demoCredentials, EXAMPLE_MODEL, login } from '../test/support/demo-fixture.js';

export interface AlertLatency {
  p50: number;
  p99: number;
  max: number;
  /** Probes whose alert arrived (of `probes` sent). */
  measured: number;
  probes: number;
  /** Background readings per second actually stored while the probes ran. */
  loadAchieved: number;
  loadTarget: number;
}

const LOAD_DEVICE = 'taller-1-plc';
/** Steady readings before a probe's step: past the detector's learning period (it raises nothing while learning). */
const HISTORY = CYBERSTRIDE_DEFAULTS.learn + 50;

/** The q-quantile (0..1) of ascending `xs`, linear between ranks. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const pos = (xs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo]! + (xs[hi]! - xs[lo]!) * (pos - lo);
}

/** Publishes single readings at `rate` per second (QoS 1, at most `window` unacknowledged) until stopped. */
function startLoad(
  client: MqttClient,
  rate: number,
  window = 500,
): { stop(): Promise<{ acked: number; secs: number }> } {
  const topic = deviceTopic(LOAD_DEVICE, 'readings');
  const t0 = performance.now();
  let ts = Date.now() - 3600_000;
  let sent = 0;
  let acked = 0;
  let inFlight = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const due = Math.floor((rate * (performance.now() - t0)) / 1000);
    while (sent < due && inFlight < window) {
      sent++;
      inFlight++;
      client.publish(topic, `{"metric":"output","value":${100 + (sent % 7)},"ts":${ts++}}`, { qos: 1 }, () => {
        inFlight--;
        acked++;
      });
    }
    timer = setTimeout(tick, 2);
  };
  let timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const secs = (performance.now() - t0) / 1000;
      const ackedAtStop = acked;
      let last = acked;
      let since = performance.now();
      while (inFlight > 0) {
        await new Promise((r) => setTimeout(r, 10));
        if (acked !== last) [last, since] = [acked, performance.now()];
        else if (performance.now() - since > STALL_MS)
          throw new Error(
            `background load stalled: ${inFlight} messages unacknowledged for ${STALL_MS / 1000} s (BENCH_LOG=file shows the server's warnings)`,
          );
      }
      return { acked: ackedAtStop, secs };
    },
  };
}

/** One run: a fresh server, `loadRate` background readings/s, a probe every `gapMs`. */
export async function alertLatency(
  loadRate: number,
  opts: { gapMs?: number; warmupMs?: number } = {},
): Promise<AlertLatency> {
  const gapMs = opts.gapMs ?? 40;
  const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-bench-alert-'));
  const server = await startOpsroom({
    host: '127.0.0.1',
    httpPort: 0,
    mqttPort: 0,
    dataDir,
    model: EXAMPLE_MODEL,
    logger: benchLogger(),
  });
  const clients: MqttClient[] = [];
  try {
    const creds = demoCredentials();
    const socket = await connectSocket(server.httpUrl, await login(server.httpUrl, 'planner', creds.users.planner!));
    const arrived = new Map<string, number>();
    let waiting: { key: string; wake: () => void } | null = null;
    socket.on('alert:raised', (a) => {
      const k = `${a.node}\u0000${a.indicator}`;
      if (!arrived.has(k)) arrived.set(k, performance.now());
      if (waiting?.key === k) waiting.wake();
    });
    const loadNode = server.model.devices.get(LOAD_DEVICE)!.node;
    const probeDevices = [...server.model.devices.values()].filter((d) => d.node !== loadNode);
    const indicators = server.model.indicators.map((i) => i.id);
    const devClients = new Map<string, MqttClient>();
    for (const d of [server.model.devices.get(LOAD_DEVICE)!, ...probeDevices]) {
      const c = await connectDevice(server.mqttUrl, d.id, creds.devices[d.id]!);
      clients.push(c);
      devClients.set(d.id, c);
    }
    const load = startLoad(devClients.get(LOAD_DEVICE)!, loadRate);
    await new Promise((r) => setTimeout(r, opts.warmupMs ?? 1500));

    const latencies: number[] = [];
    let probes = 0;
    for (const d of probeDevices) {
      const c = devClients.get(d.id)!;
      const topic = deviceTopic(d.id, 'readings');
      for (const metric of indicators) {
        probes++;
        const key = `${d.node}\u0000${metric}`;
        const base = 50 + probes;
        const tNow = Date.now();
        const history = Array.from({ length: HISTORY }, (_, i) => ({
          metric,
          value: base + ((i * 7919) % 13) / 13 - 0.5,
          ts: tNow - (HISTORY + 5 - i) * 1000,
        }));
        await within(c.publishAsync(topic, JSON.stringify(history), { qos: 1 }), "a probe device's history publish");
        if (arrived.has(key)) continue; // the history alone raised an alert: not a valid probe
        const t0 = performance.now();
        await within(
          c.publishAsync(topic, JSON.stringify({ metric, value: base * 1.1, ts: tNow }), { qos: 1 }),
          'a probe publish',
        );
        if (!arrived.has(key)) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 5000);
            waiting = { key, wake: () => (clearTimeout(timer), resolve()) };
          });
          waiting = null;
        }
        if (arrived.has(key)) latencies.push(arrived.get(key)! - t0);
        await new Promise((r) => setTimeout(r, gapMs));
      }
    }
    const { acked, secs } = await load.stop();
    socket.close();
    latencies.sort((a, b) => a - b);
    return {
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: latencies[latencies.length - 1] ?? NaN,
      measured: latencies.length,
      probes,
      loadAchieved: acked / secs,
      loadTarget: loadRate,
    };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync().catch(() => {})));
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
