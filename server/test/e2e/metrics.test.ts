import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deviceTopic } from '@opsroom/models';
import { connectDevice, demoCredentials, login, startTestServer } from '../support/demo-fixture.js';
import { stepStream } from '../support/step-stream.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** `GET /metrics` as a Prometheus scraper does it: no credentials (the route is public). */
async function scrape(server: Server): Promise<{ type: string | null; text: string }> {
  const res = await fetch(`${server.httpUrl}/metrics`);
  expect(res.status).toBe(200);
  return { type: res.headers.get('content-type'), text: await res.text() };
}

/** A sample's value: `name{labels} value` with the labels exactly as given (sorted as prom-client writes them). */
function sample(text: string, name: string, labels = ''): number | undefined {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const m = new RegExp(`^${esc(name)}${labels ? esc(`{${labels}}`) : ''} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const v = await probe();
    if (v !== undefined) return v;
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

/**
 * The real server's `/metrics` after a device's readings went through to an alert and a few HTTP
 * requests were made: the three latency histograms have observations, every counter is typed a
 * counter, and the process's default metrics are there. A second server in the same process keeps
 * its own figures.
 */
describe('/metrics on the running server', () => {
  const creds = demoCredentials();
  let server: Server;
  let other: Server;

  beforeAll(async () => {
    server = await startTestServer();
    other = await startTestServer();
  });
  afterAll(async () => {
    await other?.stop();
    await server?.stop();
  });

  it('times ingest to store, detection to alert and HTTP requests in histograms', async () => {
    const [deviceId, secret] = Object.entries(creds.devices)[0]!;
    const device = await connectDevice(server.mqttUrl, deviceId, secret);
    // One batch: 150 readings of learning, then a step the detector alerts on.
    const stream = stepStream({ n: 200, stepAt: 170 });
    await device.publishAsync(
      deviceTopic(deviceId, 'readings'),
      JSON.stringify(stream.map((p) => ({ metric: 'output', value: p.value, ts: p.ts }))),
      { qos: 1 },
    );
    await device.endAsync();

    const token = await login(server.httpUrl, 'planner', creds.users.planner!);
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${server.httpUrl}/api/alerts?state=open`, { headers: auth })).status).toBe(200);
    const unknownId = randomUUID();
    expect((await fetch(`${server.httpUrl}/api/alerts/${unknownId}`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.httpUrl}/no/such/${unknownId}`)).status).toBe(404);

    const text = await until('an alert raised from the readings', async () => {
      const { text } = await scrape(server);
      return (sample(text, 'opsroom_detection_to_alert_seconds_count') ?? 0) >= 1 ? text : undefined;
    });

    expect(sample(text, 'opsroom_readings_accepted_total')).toBe(200);
    expect(sample(text, 'opsroom_ingest_to_store_seconds_count')).toBe(1); // one message, one batch
    expect(sample(text, 'opsroom_ingest_to_store_seconds_bucket', 'le="+Inf"')).toBe(1);
    expect(sample(text, 'opsroom_ingest_to_store_seconds_sum')).toBeGreaterThan(0);
    expect(
      sample(text, 'opsroom_alerts_raised_total', 'kind="change"')! +
        (sample(text, 'opsroom_alerts_raised_total', 'kind="step"') ?? 0),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'opsroom_detection_to_alert_seconds_sum')).toBeGreaterThan(0);

    // HTTP: labelled by the route's pattern, never by the URL asked for.
    const http = (labels: string) => sample(text, 'opsroom_http_request_duration_seconds_count', labels);
    expect(http('method="POST",route="/api/login",status_code="200"')).toBe(1);
    expect(http('method="GET",route="/api/alerts",status_code="200"')).toBe(1);
    expect(http('method="GET",route="/api/alerts/:id",status_code="404"')).toBe(1);
    expect(http('method="GET",route="unmatched",status_code="404"')).toBe(1);
    expect(text).not.toContain(unknownId);
  });

  it('types every counter as a counter named _total, and serves the text format with its content type', async () => {
    const { type, text } = await scrape(server);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    for (const name of [
      'opsroom_readings_accepted_total',
      'opsroom_readings_rejected_total',
      'opsroom_mqtt_messages_total',
      'opsroom_store_write_errors_total',
      'opsroom_alerts_raised_total',
      'opsroom_alerts_escalated_total',
      'opsroom_state_save_failures_total',
      'opsroom_login_failures_total',
      'opsroom_decode_messages_total',
    ]) {
      expect([name, types.get(name)]).toEqual([name, 'counter']);
    }
    for (const [name, t] of types)
      if (name.startsWith('opsroom_')) expect([name, t === 'counter']).toEqual([name, name.endsWith('_total')]);
    for (const name of [
      'opsroom_ingest_to_store_seconds',
      'opsroom_detection_to_alert_seconds',
      'opsroom_http_request_duration_seconds',
    ])
      expect(types.get(name)).toBe('histogram');
    expect(types.get('opsroom_alerts_open')).toBe('gauge');
    // The process's default metrics.
    expect(types.get('process_cpu_seconds_total')).toBe('counter');
    expect(types.get('process_resident_memory_bytes')).toBe('gauge');
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
  });

  it('keeps a second server in the same process to its own figures', async () => {
    const { text } = await scrape(other);
    expect(sample(text, 'opsroom_readings_accepted_total')).toBe(0);
    expect(sample(text, 'opsroom_ingest_to_store_seconds_count')).toBe(0);
    expect(sample(text, 'opsroom_detection_to_alert_seconds_count')).toBe(0);
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
  });
});
