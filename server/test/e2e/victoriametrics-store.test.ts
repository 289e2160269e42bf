// The whole server on the two stores that can meet a real VictoriaMetrics here (Debian package):
// `--store victoriametrics` (writes line protocol, reads MetricsQL) and `--store influxdb` pointed at
// VictoriaMetrics' InfluxDB v2 write API, which must start and write although VictoriaMetrics speaks
// no Flux (InfluxDB 2 itself cannot run here: its Flux reads meet a double, influx-double.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deviceTopic, type IndicatorUpdate } from '@opsroom/models';
import { connectDevice, demoCredentials, getJson, login, startTestServer } from '../support/demo-fixture.js';
import { startVictoriaMetrics, victoriaMetricsBinary } from '../support/victoria-metrics.js';
import type { RunningVictoriaMetrics } from '../support/victoria-metrics.js';

const binary = victoriaMetricsBinary();
const d = binary ? describe : describe.skip;

interface History {
  points: Array<{ ts: number; value: number }>;
}

d('opsroom on a real VictoriaMetrics', () => {
  let vm: RunningVictoriaMetrics;
  const creds = demoCredentials();

  beforeAll(async () => {
    vm = await startVictoriaMetrics(binary!);
  }, 30_000);
  afterAll(async () => {
    await vm?.stop();
  });

  /**
   * Requests VictoriaMetrics refused as an unsupported path (a Flux query, /api/v2/query, is one),
   * once its /metrics has caught up (it lags by up to ~1 s): the count after `settleMs`, or the first
   * count reaching `atLeast` within 5 s.
   */
  async function unsupportedRequests(opts: { settleMs?: number; atLeast?: number } = {}): Promise<number> {
    await new Promise((r) => setTimeout(r, opts.settleMs ?? 0));
    const until = Date.now() + 5_000;
    for (;;) {
      const text = await (await fetch(`${vm.url}/metrics`)).text();
      const n = Number(/^vm_http_request_errors_total\{path="\*", reason="unsupported"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      if (opts.atLeast === undefined || n >= opts.atLeast || Date.now() > until) return n;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function publish(
    mqttUrl: string,
    deviceIndex: number,
    metric: string,
    readings: Array<{ ts: number; value: number }>,
  ): Promise<void> {
    const [deviceId, secret] = Object.entries(creds.devices)[deviceIndex]!;
    const device = await connectDevice(mqttUrl, deviceId, secret);
    // QoS 1: the PUBACK comes after the store acknowledged the write.
    await device.publishAsync(
      deviceTopic(deviceId, 'readings'),
      JSON.stringify(readings.map((r) => ({ metric, ...r }))),
      { qos: 1 },
    );
    await device.endAsync();
  }

  it('--store victoriametrics: a device publishes over MQTT, the readings come back over /api/history, and a restart seeds the live view from VictoriaMetrics', async () => {
    const [deviceId] = Object.entries(creds.devices)[1]!;
    const t0 = Date.now() - 60_000;
    const readings = Array.from({ length: 30 }, (_, i) => ({ ts: t0 + i * 1000, value: 10 + i }));
    const first = await startTestServer({ store: 'victoriametrics', vm: { url: vm.url } });
    const node = first.model.devices.get(deviceId)!.node;
    try {
      const health = await getJson<{ status: string; components: Record<string, { ok: boolean; detail: string }> }>(
        first.httpUrl,
        '/healthz',
        '',
      );
      expect(health.body.components.store).toMatchObject({
        ok: true,
        detail: expect.stringMatching(/^victoriametrics: VictoriaMetrics .*0 points acknowledged/),
      });
      await publish(first.mqttUrl, 1, 'water', readings);
      await vm.flush(); // visible now rather than within ~1 s
      const token = await login(first.httpUrl, 'planner', creds.users.planner!);
      const path = `/api/history?node=${encodeURIComponent(node)}&indicator=water&from=${t0}&to=${Date.now()}`;
      const raw = await getJson<History>(first.httpUrl, path, token);
      expect(raw.status).toBe(200);
      expect(raw.body.points).toEqual(readings);
      // 10 s windows from an aligned start: 10 readings in each of 3 windows, averaged by VictoriaMetrics.
      const from = Math.ceil(t0 / 10_000) * 10_000;
      const windowed = await getJson<History>(
        first.httpUrl,
        `/api/history?node=${encodeURIComponent(node)}&indicator=water&from=${from}&to=${from + 29_999}&windowMs=10000&aggregate=count`,
        token,
      );
      expect(windowed.body.points.map((p) => p.ts)).toEqual(
        [from, from + 10_000, from + 20_000].filter((w) => readings.some((r) => r.ts >= w && r.ts < w + 10_000)),
      );
      expect(windowed.body.points.reduce((n, p) => n + p.value, 0)).toBe(
        readings.filter((r) => r.ts >= from && r.ts <= from + 29_999).length,
      );
    } finally {
      await first.stop();
    }

    // A new server (new data directory, same VictoriaMetrics): the live view starts from the newest stored reading.
    const second = await startTestServer({ store: 'victoriametrics', vm: { url: vm.url } });
    try {
      const token = await login(second.httpUrl, 'planner', creds.users.planner!);
      const latest = await getJson<IndicatorUpdate[]>(
        second.httpUrl,
        `/api/latest?node=${encodeURIComponent(node)}`,
        token,
      );
      expect(latest.body.find((u) => u.indicator === 'water')).toMatchObject({ node, value: 39 });
    } finally {
      await second.stop();
    }
  });

  it('--store influxdb against VictoriaMetrics starts without any Flux query, writes every reading, and keeps serving when a Flux read fails', async () => {
    const [deviceId] = Object.entries(creds.devices)[3]!;
    const refusedBefore = await unsupportedRequests({ settleMs: 1_500 });
    const server = await startTestServer({
      store: 'influxdb',
      influx: { url: vm.url, org: 'opsroom', bucket: 'opsroom', token: 'unused' },
    });
    const node = server.model.devices.get(deviceId)!.node;
    try {
      const t0 = Date.now() - 30_000;
      const readings = Array.from({ length: 5 }, (_, i) => ({ ts: t0 + i, value: i }));
      await publish(server.mqttUrl, 3, 'energy', readings);
      await vm.flush();
      const res = await fetch(
        `${vm.url}/api/v1/export?match[]=${encodeURIComponent(`{__name__="energy_value",device=${JSON.stringify(deviceId)}}`)}`,
      );
      const series = (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { metric: Record<string, string>; timestamps: number[]; values: number[] });
      expect(series).toHaveLength(1);
      expect(series[0]!.metric).toMatchObject({ node, device: deviceId });
      expect(series[0]!.timestamps).toEqual(readings.map((r) => r.ts));
      expect(await unsupportedRequests({ settleMs: 1_500 })).toBe(refusedBefore); // start-up and writes sent no Flux
      // History needs Flux, which VictoriaMetrics does not speak: an error answer, and the server carries on.
      const token = await login(server.httpUrl, 'planner', creds.users.planner!);
      const h = await fetch(
        `${server.httpUrl}/api/history?node=${encodeURIComponent(node)}&indicator=energy&from=${t0}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(h.status).toBeGreaterThanOrEqual(500);
      expect(await unsupportedRequests({ atLeast: refusedBefore + 1 })).toBe(refusedBefore + 1); // the history read was the first Flux query (and the count works)
      const health = await getJson<{ status: string; components: Record<string, { ok: boolean; detail: string }> }>(
        server.httpUrl,
        '/healthz',
        '',
      );
      expect(health.status).toBe(200);
      expect(health.body.components.store).toMatchObject({
        ok: true,
        detail: expect.stringMatching(/^influxdb: .* 5 points acknowledged/),
      });
      await publish(server.mqttUrl, 3, 'energy', [{ ts: t0 + 10, value: 10 }]);
    } finally {
      await server.stop();
    }
  }, 30_000);
});
