import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { decodeJsonReadings, deviceTopic } from '@opsroom/models';
import { freePort, startAgentProcess, until, type Child } from './support/processes.js';

// The shared helper lives in the server's test tree (another TypeScript project), so it is
// loaded by path at run time rather than imported by the compiler.
const REQUIRE_BINARY = new URL('../../server/test/support/require-binary.ts', import.meta.url).href;
const { findBinary } = (await import(REQUIRE_BINARY)) as { findBinary: (name: string) => string | null };
const MOSQUITTO_KIT = new URL('../../server/test/support/mosquitto.ts', import.meta.url).href;
const { restartableMosquitto } = (await import(MOSQUITTO_KIT)) as {
  restartableMosquitto: (
    binary: string,
    port: number,
    persistence: boolean,
  ) => { url: string; start(): Promise<void>; stop(signal: NodeJS.Signals): Promise<void>; remove(): Promise<void> };
};
const mosquitto = findBinary('mosquitto');
const d = mosquitto ? describe : describe.skip;

const DEVICE = 'mq-agent-1';
const TOTAL = 10_000;
const METRICS = ['output', 'energy', 'water', 'temperature'];
const T0 = Date.UTC(2026, 10, 23, 8);
const LIMITS = { maxPayloadBytes: 1 << 20, maxReadingsPerMessage: 10_000, maxPastMs: Infinity, maxFutureMs: Infinity };

d('the agent process against a real Mosquitto, through a broker outage and a SIGKILL', () => {
  let dir: string;
  let port: number;
  let broker: ReturnType<typeof restartableMosquitto> | undefined;
  let agent: Child | undefined;
  let sub: MqttClient | undefined;

  const startBroker = () => broker!.start();
  const stopBroker = () => broker!.stop('SIGTERM'); // a clean stop writes the persistence file

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-mosq-'));
    port = await freePort();
    broker = restartableMosquitto(mosquitto!, port, true);
    // The ground truth: 10,000 readings with distinct (metric, ts) keys, replayed at 10x (one row per ms).
    const rows = ['ts,metric,value'];
    for (let i = 0; i < TOTAL; i++) rows.push(`${T0 + i * 10},${METRICS[i % METRICS.length]},${i}`);
    writeFileSync(join(dir, 'readings.csv'), rows.join('\n') + '\n');
    writeFileSync(
      join(dir, 'agent.yaml'),
      [
        `deviceId: ${DEVICE}`,
        'secret: not-checked-by-this-broker',
        `brokerUrl: mqtt://127.0.0.1:${port}`,
        'sampleIntervalMs: 5',
        'batchMax: 200',
        'maxMessagesPerSecond: 200',
        'reconnectPeriodMs: 100',
        'connectTimeoutMs: 2000',
        'flushTimeoutMs: 5000',
        'statusIntervalMs: 300',
        'bufferDir: ./buffer',
        'sources:',
        '  - kind: csv',
        '    name: replay',
        '    file: ./readings.csv',
        '    speed: 10',
        '    timestamps: original',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await sub?.endAsync(true);
    agent?.proc.kill('SIGKILL');
    await agent?.exited;
    await broker?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers all 10,000 readings: none lost, duplicates on the wire only, each key once after dedupe', async () => {
    await startBroker();
    const byKey = new Map<string, number>();
    let duplicates = 0;
    let health = 0;
    let messages = 0;
    sub = connect(`mqtt://127.0.0.1:${port}`, { clientId: 'it-subscriber', clean: false, reconnectPeriod: 100 });
    sub.on('message', (topic, payload) => {
      const { readings } = decodeJsonReadings(payload, Date.now(), LIMITS);
      if (topic.endsWith('/status')) {
        if (readings.some((r) => r.metric === 'agent_buffer_depth')) health++;
        return;
      }
      messages++;
      for (const r of readings) {
        const key = `${r.metric}|${r.ts}`;
        if (byKey.has(key)) {
          duplicates++;
          expect(byKey.get(key)).toBe(r.value);
        } else byKey.set(key, r.value);
      }
    });
    await sub.subscribeAsync([deviceTopic(DEVICE, 'readings'), deviceTopic(DEVICE, 'status')], { qos: 1 });

    const config = join(dir, 'agent.yaml');
    const logs = () => `agent:\n${agent?.output().slice(-3000)}\nbroker: (log_dest none)`;
    agent = startAgentProcess(['--config', config, '--log-level', 'warn']);

    // 1. Kill the agent mid-stream: readings in its outbox and in flight must survive.
    await until('2,000 readings at the subscriber', () => byKey.size >= 2000, 15_000, logs);
    agent.proc.kill('SIGKILL');
    expect(await agent.exited).toBe('SIGKILL');
    const afterKill = byKey.size;
    agent = startAgentProcess(['--config', config, '--log-level', 'warn']);

    // 2. Stop the broker while the agent keeps replaying; start it again 1.5 s later.
    await until('5,000 readings at the subscriber', () => byKey.size >= 5000, 15_000, logs);
    // Mosquitto 2.0.11, stopped with SIGTERM, loses QoS 1 messages it has already PUBACKed but not
    // yet delivered to a connected persistent subscriber (measured here: 3 to 479 of ~18,000 in a
    // standalone run). That is the broker's loss, not the agent's: the agent may forget a reading once
    // the broker acknowledged it [MQTT-4.3.2]. So the agent is paused until the subscriber has caught
    // up, then the broker stops, then the agent runs on into the outage and must buffer.
    agent.proc.kill('SIGSTOP');
    for (let last = -1; byKey.size !== last;) {
      last = byKey.size;
      await new Promise((r) => setTimeout(r, 300));
    }
    await stopBroker();
    agent.proc.kill('SIGCONT');
    const duringOutage = byKey.size;
    await new Promise((r) => setTimeout(r, 1500));
    expect(byKey.size).toBe(duringOutage); // nothing can arrive while the broker is down
    // The agent has buffered through the outage. Pause it again while the broker restarts, so the
    // test's subscriber is back (and subscribed) before the agent drains: otherwise readings the
    // broker acknowledges before the subscriber returns are the broker's to drop, not the agent's.
    agent.proc.kill('SIGSTOP');
    const back = new Promise<void>((r) => sub!.once('connect', () => r()));
    await startBroker();
    await back;
    await sub.subscribeAsync([deviceTopic(DEVICE, 'readings'), deviceTopic(DEVICE, 'status')], { qos: 1 });
    agent.proc.kill('SIGCONT');

    const missing = () => {
      const gaps: string[] = [];
      let start = -1;
      for (let i = 0; i <= TOTAL; i++) {
        const has = i < TOTAL && byKey.has(`${METRICS[i % METRICS.length]}|${T0 + i * 10}`);
        if (!has && i < TOTAL && start < 0) start = i;
        if ((has || i === TOTAL) && start >= 0) {
          gaps.push(`${start}-${i - 1}`);
          start = -1;
        }
      }
      return `missing rows ${gaps.slice(0, 20).join(', ')}${gaps.length > 20 ? ' …' : ''}`;
    };
    await until(
      'every reading at the subscriber',
      () => byKey.size >= TOTAL,
      25_000,
      () => `have ${byKey.size}; ${missing()}; after kill ${afterKill}, before outage ${duringOutage}\n${logs()}`,
    );
    await until('a health report after the outage', () => health > 0, 5000);

    // A clean stop: exit code 0, and --status says it stopped with an empty buffer.
    agent.proc.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    const status = startAgentProcess(['--status', '--json', '--config', config]);
    expect(await status.exited).toBe(3); // not running
    const reported = JSON.parse(status.output()) as {
      running: boolean;
      stopped: boolean;
      queued: number;
      dropped: number;
      deviceId: string;
    };
    expect(reported).toMatchObject({ running: false, stopped: true, queued: 0, dropped: 0, deviceId: DEVICE });

    expect(byKey.size).toBe(TOTAL);
    for (let i = 0; i < TOTAL; i++) expect(byKey.get(`${METRICS[i % METRICS.length]}|${T0 + i * 10}`)).toBe(i);
    // Duplicates are allowed on the wire (at-least-once; the server stores on (device, metric, ts) once).
    console.log(
      `mosquitto store-and-forward: ${TOTAL} readings delivered in ${messages} messages; ${duplicates} duplicate reading(s) on the wire (dedupe leaves exactly ${byKey.size}); ${afterKill} had arrived before the SIGKILL, ${duringOutage} before the broker stopped`,
    );
  }, 60_000);
});
