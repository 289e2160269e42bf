import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { demoCredentials, EXAMPLE_MODEL, getJson, login, startTestServer } from '../support/demo-fixture.js';

/**
 * Issue 18 point 4: Telegraf's MQTT output feeds opsroom with deploy/telegraf.conf's settings
 * (topic = the device's readings topic, username/password = device id and secret, QoS 1, MQTT
 * 3.1.1), as recorded byte forms of its serializers published by a real mqtt.js client to the
 * real server (embedded broker, embedded store) — not a running Telegraf, which cannot be
 * installed here. Tags: one device without a rule (tags are series identity), one with
 * `tags: {metric: [sensor], ignore: [host]}`.
 */
const creds = demoCredentials();
const PLAIN = 'taller-1-plc';
const RULED = 'taller-2-plc';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The example model plus two indicators a tag maps to and the tag rule on RULED. */
function modelWithTagRule(dir: string): string {
  let text = readFileSync(EXAMPLE_MODEL, 'utf8');
  const extra = ['oven1', 'oven2']
    .map((o) => `  - id: temperature_${o}\n    name: Oven ${o}\n    unit: C\n    rollup: max\n`)
    .join('');
  text = text.replace('indicators:\n', `indicators:\n${extra}`);
  text = text.replace(/( {2}- id: taller-2-plc\n(?: {4}.*\n)+)/, `$1    tags: { metric: [sensor], ignore: [host] }\n`);
  const file = join(dir, 'model.yaml');
  writeFileSync(file, text);
  return file;
}

describe('Telegraf outputs.mqtt payloads against the embedded broker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-telegraf-'));
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let token: string;
  const clients: MqttClient[] = [];
  // Telegraf rounds to its interval: whole seconds, a minute ago.
  const S = Math.floor(Date.now() / 1000) - 60;
  const NS = `${S}000000000`;

  beforeAll(async () => {
    server = await startTestServer({ model: modelWithTagRule(dir) });
    token = await login(server.httpUrl, 'planner', creds.users.planner!);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync()));
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A device connected as deploy/telegraf.conf connects Telegraf: 3.1.1, its id and secret. */
  const telegraf = async (id: string) => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, {
      protocolVersion: 4,
      username: id,
      password: creds.devices[id],
      reconnectPeriod: 0,
      keepalive: 30,
    });
    clients.push(c);
    return c;
  };
  const history = async (id: string, indicator: string) => {
    const node = server.model.devices.get(id)!.node;
    const h = await getJson<{ points: Array<{ ts: number; value: number }> }>(
      server.httpUrl,
      `/api/history?node=${encodeURIComponent(node)}&indicator=${indicator}&from=${(S - 10) * 1000}`,
      token,
    );
    return h.body.points.map((p) => [p.ts, p.value]);
  };
  const rejectedTotal = async (cause: string) => {
    const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
    return Number(new RegExp(`opsroom_readings_rejected_total\\{cause="${cause}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  };

  it('influx, non-batch: two sensors differing by a tag: one stored, one refused, counted, explained', async () => {
    const c = await telegraf(PLAIN);
    const explained: string[] = [];
    c.on('message', (_t, p) => void explained.push(p.toString()));
    await c.subscribeAsync(deviceTopic(PLAIN, 'rejects'), { qos: 0 });
    const before = await rejectedTotal('tag_conflict');
    await c.publishAsync(deviceTopic(PLAIN, 'readings'), `temperature,host=gw-1,sensor=oven1 value=180.5 ${NS}\n`, {
      qos: 1,
    });
    await c.publishAsync(deviceTopic(PLAIN, 'readings'), `temperature,host=gw-1,sensor=oven2 value=175 ${NS}\n`, {
      qos: 1,
    });
    expect(await history(PLAIN, 'temperature')).toEqual([[S * 1000, 180.5]]);
    expect((await rejectedTotal('tag_conflict')) - before).toBe(1);
    for (let i = 0; i < 40 && explained.length === 0; i++) await sleep(50);
    const body = JSON.parse(explained[0]!) as { rejected: number; reasons: Array<{ code: string; message: string }> };
    expect(body.rejected).toBe(1);
    expect(body.reasons[0]!.code).toBe('tag_conflict');
    expect(body.reasons[0]!.message).toContain('{host=gw-1,sensor=oven1}');
  });

  it("influx, batch: the device's tags.metric rule makes a metric per sensor; ints, strings, booleans", async () => {
    const c = await telegraf(RULED);
    const before = await rejectedTotal('bad_value');
    const batch =
      `temperature,host=gw-2,sensor=oven1 value=181 ${NS}\n` +
      `temperature,host=gw-2,sensor=oven2 value=176i ${NS}\n` +
      `temperature,host=gw-2,sensor=oven1 state="ok",door=true ${NS}\n`;
    await c.publishAsync(deviceTopic(RULED, 'readings'), batch, { qos: 1 });
    expect(await history(RULED, 'temperature_oven1')).toEqual([[S * 1000, 181]]);
    expect(await history(RULED, 'temperature_oven2')).toEqual([[S * 1000, 176]]);
    expect((await rejectedTotal('bad_value')) - before).toBe(2);
  });

  it('json, one metric (timestamp in seconds, the serializer\'s default) and a {"metrics": [...]} batch', async () => {
    const c = await telegraf(RULED);
    const one =
      `{"fields":{"value":182.25},"name":"temperature",` +
      `"tags":{"host":"gw-2","sensor":"oven1"},"timestamp":${S + 1}}\n`;
    await c.publishAsync(deviceTopic(RULED, 'readings'), one, { qos: 1 });
    const batch =
      `{"metrics":[{"fields":{"value":177},"name":"temperature",` +
      `"tags":{"host":"gw-9","sensor":"oven2"},"timestamp":${S + 2}},` +
      `{"fields":{"value":183},"name":"temperature","tags":{"host":"gw-2","sensor":"oven1"},"timestamp":${S + 2}}]}\n`;
    await c.publishAsync(deviceTopic(RULED, 'readings'), batch, { qos: 1 });
    expect(await history(RULED, 'temperature_oven1')).toEqual([
      [S * 1000, 181],
      [(S + 1) * 1000, 182.25],
      [(S + 2) * 1000, 183],
    ]);
    // host is in tags.ignore: gw-9 is the same series as gw-2
    expect(await history(RULED, 'temperature_oven2')).toEqual([
      [S * 1000, 176],
      [(S + 2) * 1000, 177],
    ]);
  });

  it('refuses a tagged reading without the tag the rule names (missing_tag), counted', async () => {
    const c = await telegraf(RULED);
    const before = await rejectedTotal('missing_tag');
    await c.publishAsync(deviceTopic(RULED, 'readings'), `temperature,host=gw-2 value=1 ${NS}\n`, { qos: 1 });
    expect((await rejectedTotal('missing_tag')) - before).toBe(1);
  });
});
