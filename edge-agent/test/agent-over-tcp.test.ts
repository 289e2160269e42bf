import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { decodeJsonReadings, deviceTopic, METRIC_PATTERN, type Reading } from '@opsroom/models';
import {
  DEMO_WORKSHOP_METRICS,
  MemoryOutbox,
  SimulatedWorkshop,
  startAgent,
  type Logger,
  type RunningAgent,
  type Source,
} from '../src/index.js';
import { startTestBroker, type TestBroker } from './support/aedes-broker.js';

const DEVICE = 'ws-1';
const SECRET = 'secret-1';
const WATCHER = { username: 'watcher', password: 'watch-pw' };
const T0 = Date.UTC(2026, 10, 23, 8);

/** Polls `cond` every millisecond until it holds; fails with `what` after `timeoutMs`. */
async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** A subscriber that collects every reading published on one device's readings topic. */
async function watch(url: string, deviceId: string): Promise<{ client: MqttClient; received: Reading[] }> {
  const received: Reading[] = [];
  const client = connect(url, { ...WATCHER, clientId: 'watcher', reconnectPeriod: 50 });
  client.on('message', (_topic, payload) => {
    const { readings, rejections } = decodeJsonReadings(payload, Date.now(), {
      maxPayloadBytes: 1 << 20,
      maxReadingsPerMessage: 10_000,
      maxPastMs: Infinity,
      maxFutureMs: Infinity,
    });
    expect(rejections).toEqual([]);
    received.push(...readings);
  });
  const topic = deviceTopic(deviceId, 'readings');
  await client.subscribeAsync(topic, { qos: 1 });
  return { client, received };
}

/** A source that records everything it produced: the ground truth to compare against. */
function recording(inner: Source): { source: Source; generated: Reading[] } {
  const generated: Reading[] = [];
  return {
    generated,
    source: {
      id: inner.id,
      metrics: inner.metrics,
      sample(now) {
        const rs = inner.sample(now) as Reading[];
        generated.push(...rs);
        return rs;
      },
    },
  };
}

describe('an edge agent over TCP to an MQTT broker', () => {
  let dir: string;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-agent-it-'));
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every reading exactly once and in order, buffering on disk through a broker restart', async () => {
    let deviceAdmitted = true;
    let broker: TestBroker = await startTestBroker({
      users: { [DEVICE]: SECRET, [WATCHER.username]: WATCHER.password },
      admit: (u) => u !== DEVICE || deviceAdmitted,
    });
    cleanups.push(() => broker.close());
    const port = broker.port;
    const watcher = await watch(broker.url, DEVICE);
    cleanups.push(() => watcher.client.endAsync(true));

    const { source, generated } = recording(
      new SimulatedWorkshop({ name: DEVICE, seed: 11, metrics: DEMO_WORKSHOP_METRICS }),
    );
    let clock = T0;
    const agent: RunningAgent = await startAgent(
      {
        deviceId: DEVICE,
        secret: SECRET,
        brokerUrl: broker.url,
        sampleIntervalMs: 10,
        batchMax: 50,
        maxMessagesPerSecond: 500,
        reconnectPeriodMs: 50,
        bufferDir: dir,
      },
      { source, now: () => (clock += 1000) },
    );
    cleanups.push(() => agent.stop());

    // Phase 1: connected; readings flow.
    await until('300 readings at the subscriber', () => watcher.received.length >= 300);
    expect(broker.authenticated).toContain(`agent-${DEVICE}`);

    // Phase 2: the broker goes away at a moment when nothing is in flight and the subscriber
    // has everything acknowledged so far (so a lost PUBACK cannot make a legitimate duplicate).
    await until(
      'a quiet moment',
      () => agent.stats().inFlight === 0 && watcher.received.length === agent.stats().published,
    );
    const publishedBefore = agent.stats().published;
    await broker.close(); // cuts every connection synchronously, right after the check above
    await until('the agent to notice', () => !agent.stats().connected);
    await until('readings to pile up in the outbox', () => agent.stats().queued >= 400);
    expect(agent.stats().published).toBe(publishedBefore); // nothing acknowledged by a broker that is gone

    // Phase 3: the broker is back on the same port. The device is admitted only once the
    // subscriber has subscribed again, so the subscriber sees the backlog too.
    deviceAdmitted = false;
    broker = await startTestBroker({
      port,
      users: { [DEVICE]: SECRET, [WATCHER.username]: WATCHER.password },
      admit: (u) => u !== DEVICE || deviceAdmitted,
    });
    cleanups.push(() => broker.close());
    await new Promise<void>((resolve) =>
      broker.broker.on('subscribe', (_subs, client) => client.id === 'watcher' && resolve()),
    );
    deviceAdmitted = true;
    await until('the agent to reconnect', () => agent.stats().connected);
    await until('the backlog to drain', () => agent.stats().queued < 50);

    const before = agent.stats();
    await agent.stop();
    await until('every generated reading at the subscriber', () => watcher.received.length >= generated.length, 5000);
    await new Promise((r) => setTimeout(r, 50)); // any duplicate would arrive now

    expect(generated.length).toBeGreaterThan(700);
    expect(watcher.received).toEqual(generated);
    expect(before.dropped).toBe(0);
    expect(before.reconnects).toBeGreaterThanOrEqual(1);
    expect(before.rejected).toBe(0);
    expect(before.lastPublishAt).not.toBeNull();
  }, 15_000);

  it('removes readings from the outbox only after the broker acknowledged them, one message at a time', async () => {
    let hold = true;
    const held: Array<() => void> = [];
    const broker = await startTestBroker({
      users: { [DEVICE]: SECRET, [WATCHER.username]: WATCHER.password },
      // While `hold` is set, publishes are neither forwarded nor acknowledged.
      authorizePublish: (_client, _packet, cb) => (hold ? held.push(() => cb(null)) : cb(null)),
    });
    cleanups.push(() => broker.close());
    const watcher = await watch(broker.url, DEVICE);
    cleanups.push(() => watcher.client.endAsync(true));
    const outbox = new MemoryOutbox();
    const agent = await startAgent(
      {
        deviceId: DEVICE,
        secret: SECRET,
        brokerUrl: broker.url,
        sampleIntervalMs: 10,
        batchMax: 20,
        maxMessagesPerSecond: 1000,
      },
      { outbox },
    );
    cleanups.push(() => agent.stop());

    await until('a held message and a growing outbox', () => held.length === 1 && outbox.depth() >= 120);
    await new Promise((r) => setTimeout(r, 30));
    expect(held).toHaveLength(1); // one message in flight, no more
    expect(agent.stats().published).toBe(0);
    expect(agent.stats().inFlight).toBeGreaterThan(0);
    expect(outbox.depth()).toBe(agent.stats().sampled); // nothing removed without a PUBACK

    hold = false;
    held.splice(0).forEach((release) => release());
    await until('the backlog to drain', () => agent.stats().published >= 120 && outbox.depth() < 20);
    await agent.stop();
    await until('all at the subscriber', () => watcher.received.length === agent.stats().published);
    const ts = watcher.received.map((r) => r.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  }, 10_000);

  it('starts with the readings a previous run left in its outbox file', async () => {
    const bufferDir = join(dir, 'restart');
    const users = { [DEVICE]: SECRET, [WATCHER.username]: WATCHER.password };
    // First run: no broker listening, so everything stays in the outbox.
    const first = await startAgent({
      deviceId: DEVICE,
      secret: SECRET,
      brokerUrl: 'mqtt://127.0.0.1:1',
      sampleIntervalMs: 5,
      reconnectPeriodMs: 10_000,
      flushTimeoutMs: 0,
      bufferDir,
      source: { seed: 3 },
    });
    await until('some readings buffered', () => first.stats().queued >= 60);
    await first.stop();
    const left = first.stats().queued;

    const broker = await startTestBroker({ users });
    cleanups.push(() => broker.close());
    const watcher = await watch(broker.url, DEVICE);
    cleanups.push(() => watcher.client.endAsync(true));
    const second = await startAgent({
      deviceId: DEVICE,
      secret: SECRET,
      brokerUrl: broker.url,
      sampleIntervalMs: 60_000,
      bufferDir,
      source: { seed: 3 },
    });
    cleanups.push(() => second.stop());
    await until('the left-over readings at the subscriber', () => watcher.received.length >= left);
    expect(watcher.received).toHaveLength(left);
    const ts = watcher.received.map((r) => r.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    await second.stop();
  }, 10_000);

  it('passes injected faults through to the published readings and hands directives to the callback', async () => {
    const broker = await startTestBroker({ users: { [DEVICE]: SECRET, [WATCHER.username]: WATCHER.password } });
    cleanups.push(() => broker.close());
    const watcher = await watch(broker.url, DEVICE);
    cleanups.push(() => watcher.client.endAsync(true));
    const directives: unknown[] = [];
    const agent = await startAgent(
      { deviceId: DEVICE, secret: SECRET, brokerUrl: broker.url, sampleIntervalMs: 10 },
      { onDirective: (d) => directives.push(d) },
    );
    cleanups.push(() => agent.stop());
    await until('the agent to connect', () => agent.stats().connected);

    agent.injectFault('output', { kind: 'step', offset: 1_000_000 });
    await until('a faulted reading', () => watcher.received.some((r) => r.metric === 'output' && r.value > 900_000));
    expect(() => agent.injectFault('nope', { kind: 'spike', factor: 2 })).toThrow(/no metric "nope"/);

    await watcher.client.publishAsync(
      deviceTopic(DEVICE, 'commands'),
      JSON.stringify({ id: 'd1', text: 'raise output' }),
      { qos: 1 },
    );
    await watcher.client.publishAsync(deviceTopic(DEVICE, 'commands'), 'not json', { qos: 1 });
    await until('the directives', () => agent.stats().directives === 2);
    expect(directives).toEqual([{ id: 'd1', text: 'raise output' }]);
    expect(agent.stats().badDirectives).toBe(1);
    await agent.stop();
  }, 10_000);

  it('acknowledges each directive on its status topic and reports its health there, drops included', async () => {
    // Readings are held unacknowledged, so the outbox (10 readings at most) overflows; status goes through.
    const held: Array<() => void> = [];
    const broker = await startTestBroker({
      users: { [DEVICE]: SECRET, [WATCHER.username]: WATCHER.password },
      authorizePublish: (_client, packet, cb) =>
        packet.topic.endsWith('/readings') ? held.push(() => cb(null)) : cb(null),
    });
    cleanups.push(() => broker.close());
    const status: unknown[] = [];
    const watcher = connect(broker.url, { ...WATCHER, clientId: 'status-watcher' });
    cleanups.push(() => watcher.endAsync(true));
    watcher.on('message', (_t, payload) => status.push(JSON.parse(payload.toString('utf8'))));
    await watcher.subscribeAsync(deviceTopic(DEVICE, 'status'), { qos: 1 });
    const warnings: unknown[] = [];
    const logger: Logger = { info() {}, debug() {}, error() {}, warn: (o) => warnings.push(o) };
    const agent = await startAgent(
      {
        deviceId: DEVICE,
        secret: SECRET,
        brokerUrl: broker.url,
        sampleIntervalMs: 10,
        statusIntervalMs: 100,
        bufferMaxReadings: 10,
        flushTimeoutMs: 0,
      },
      { logger },
    );
    cleanups.push(() => agent.stop());
    await until('the agent to connect', () => agent.stats().connected);

    const directive = {
      type: 'directive',
      alert: 'alert-42',
      indicator: 'output',
      from: 'ana',
      note: 'slow line 2',
      at: '2026-11-23T08:00:00.000Z',
    };
    await watcher.publishAsync(deviceTopic(DEVICE, 'commands'), JSON.stringify(directive), { qos: 1 });
    await until('the ack', () => status.some((m) => (m as { type?: string }).type === 'directive-ack'));
    const ack = status.find((m) => (m as { type?: string }).type === 'directive-ack') as Record<string, unknown>;
    expect(ack).toEqual({
      type: 'directive-ack',
      alert: 'alert-42',
      deviceId: DEVICE,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(agent.stats()).toMatchObject({ directives: 1, directivesAcked: 1 });

    type Batch = Array<{ metric: string; value: number; ts: number }>;
    const healthWith = (pred: (b: Batch) => boolean) => status.filter((m): m is Batch => Array.isArray(m)).find(pred);
    await until(
      'a health report that shows drops',
      () => healthWith((b) => b.some((r) => r.metric === 'agent_dropped_total' && r.value > 0)) !== undefined,
    );
    const report = healthWith((b) => b.some((r) => r.metric === 'agent_dropped_total' && r.value > 0))!;
    const values = Object.fromEntries(report.map((r) => [r.metric, r.value]));
    expect(Object.keys(values)).toEqual(
      expect.arrayContaining([
        'agent_buffer_depth',
        'agent_dropped_total',
        'agent_reconnects_total',
        'agent_published_total',
        'agent_connected',
        'agent_uptime_s',
      ]),
    );
    expect(values.agent_buffer_depth).toBeLessThanOrEqual(10);
    expect(values.agent_connected).toBe(1);
    expect(values.agent_last_publish_age_s).toBeUndefined(); // nothing acknowledged yet
    expect(report.every((r) => METRIC_PATTERN.test(r.metric))).toBe(true);
    const { readings, rejections } = decodeJsonReadings(JSON.stringify(report), Date.now());
    expect(rejections).toEqual([]); // the server's own decoder takes health reports as readings
    expect(readings.length).toBe(report.length);
    expect(warnings.some((w) => JSON.stringify(w).includes('droppedTotal'))).toBe(true);

    held.splice(0).forEach((release) => release());
    await agent.stop();
  }, 10_000);

  it('keeps buffering and says once why when the broker refuses its secret', async () => {
    const broker = await startTestBroker({ users: { [DEVICE]: SECRET } });
    cleanups.push(() => broker.close());
    const errors: unknown[] = [];
    const logger: Logger = { info() {}, debug() {}, warn() {}, error: (obj) => errors.push(obj) };
    const agent = await startAgent(
      {
        deviceId: DEVICE,
        secret: 'wrong',
        brokerUrl: broker.url,
        sampleIntervalMs: 10,
        reconnectPeriodMs: 20,
        flushTimeoutMs: 0,
      },
      { logger },
    );
    cleanups.push(() => agent.stop());
    await until(
      'several refused attempts and buffered readings',
      () => agent.stats().queued >= 60 && errors.length >= 1,
    );
    await new Promise((r) => setTimeout(r, 150));
    expect(agent.stats()).toMatchObject({ connected: false, published: 0 });
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toMatch(/Connection refused/);
    await agent.stop();
  }, 10_000);
});
