import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic, type Model } from '@opsroom/models';
import { startEmbeddedBroker } from '../../src/broker/embedded-broker.js';
import { CONF_FILE, runBrokerConfig } from '../../src/broker/mosquitto-config.js';
import { startMqttIngest } from '../../src/ingest/mqtt-ingest.js';
import type { IngestPipeline } from '../../src/ingest/pipeline.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadModelFile } from '../../src/model/index.js';
import { findBinary } from '../support/require-binary.js';
import { generatedConfLines, startMosquitto, type RunningMosquitto } from '../support/mosquitto.js';
import { demoCredentials, EXAMPLE_MODEL } from '../support/demo-fixture.js';
import { recordAttacks } from '../support/attack-ledger.js';

/**
 * Issue 16 point 7: a retained reading without a timestamp must not be replayed as fresh at every
 * start. The embedded broker drops the retain flag of device messages; Mosquitto configured by
 * `opsroom broker-config` refuses retained messages; on any other broker the server ignores a
 * replayed retained message and clears it.
 */
const creds = demoCredentials();
const A = 'taller-1-plc';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reading = JSON.stringify({ metric: 'output', value: 7 }); // no ts: "now" wherever it lands

/** Device A, with its demo secret, on the broker at `url`. */
const connectA = (url: string) =>
  mqtt.connectAsync(url, { username: A, password: creds.devices[A], reconnectPeriod: 0 });

/** Device A publishes one retained reading and leaves. */
async function publishRetained(url: string): Promise<void> {
  const device = await connectA(url);
  await device.publishAsync(deviceTopic(A, 'readings'), reading, { qos: 1, retain: true });
  await device.endAsync();
}

/** What `watcher`, subscribing to `topic` now, is sent within 300 ms (a retained copy, if one was kept); ends it. */
async function replayedTo(watcher: MqttClient, topic: string): Promise<string[]> {
  const replayed: string[] = [];
  watcher.on('message', (t) => replayed.push(t));
  await watcher.subscribeAsync(topic, { qos: 1 });
  await sleep(300);
  await watcher.endAsync();
  return replayed;
}

describe('retained messages on the embedded broker', () => {
  let model: Model;
  beforeAll(async () => {
    model = await loadModelFile(EXAMPLE_MODEL);
  });

  it('takes a retained device reading once and keeps nothing to replay', async () => {
    const seen: string[] = [];
    const broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      devices: () => model.devices,
      logger: silentLogger,
      onDeviceMessage: async (topic) => void seen.push(topic),
    });
    try {
      await publishRetained(broker.url);
      expect(seen).toEqual([deviceTopic(A, 'readings')]);
      // A later subscriber (the server's own account may read every topic) gets no retained copy.
      const watcher = await mqtt.connectAsync(broker.url, { ...broker.service, reconnectPeriod: 0 });
      expect(await replayedTo(watcher, 'opsroom/v1/devices/+/readings')).toEqual([]);
    } finally {
      await broker.close();
    }
    recordAttacks('retained device reading kept for replay (embedded)', 1);
  });
});

const mosquitto = findBinary('mosquitto');
(mosquitto ? describe : describe.skip)('retained messages with Mosquitto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-retained-'));
  const serverPassword = 'server-pw-for-the-retained-test';
  const asRoot = process.getuid?.() === 0 ? ['user root'] : [];
  beforeAll(async () => {
    const secrets = join(dir, 'secrets.json');
    writeFileSync(secrets, JSON.stringify({ devices: creds.devices }));
    expect(
      await runBrokerConfig(
        { model: EXAMPLE_MODEL, secrets, outDir: dir, env: { OPSROOM_BROKER_PASSWORD: serverPassword } },
        () => undefined,
      ),
    ).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts the server's ingest, runs `during`, waits, stops it: the readings it was handed. */
  const ingestOnce = async (broker: RunningMosquitto, during: () => Promise<void> = async () => undefined) => {
    const got: string[] = [];
    const pipeline = { accept: async (topic: string) => void got.push(topic) } as unknown as IngestPipeline;
    const ingest = await startMqttIngest({
      brokerUrl: `mqtt://opsroom-server:${serverPassword}@127.0.0.1:${broker.port}`,
      pipeline: () => pipeline,
      logger: silentLogger,
    });
    await during();
    await sleep(500);
    await ingest.close();
    return got;
  };

  it('refuses a retained publish when configured by opsroom broker-config (retain_available false)', async () => {
    const broker = await startMosquitto(mosquitto!, [...asRoot, ...generatedConfLines(join(dir, CONF_FILE))]);
    try {
      const device = await connectA(broker.url);
      const closed = new Promise<void>((r) => device.once('close', () => r()));
      device.publish(deviceTopic(A, 'readings'), reading, { qos: 1, retain: true });
      await Promise.race([closed, sleep(3000)]);
      expect(device.connected).toBe(false);
      expect(await ingestOnce(broker)).toEqual([]);
    } finally {
      await broker.stop();
    }
    recordAttacks('retained publish (Mosquitto by broker-config)', 1);
  });

  it('on a broker that keeps retained messages, ingests a retained reading once and never again at later starts', async () => {
    const broker = await startMosquitto(mosquitto!, [
      ...asRoot,
      `password_file ${join(dir, 'passwd')}`,
      `acl_file ${join(dir, 'acl')}`,
    ]);
    try {
      // Published while the server runs: taken once, as it arrives.
      expect(await ingestOnce(broker, () => publishRetained(broker.url))).toEqual([deviceTopic(A, 'readings')]);
      // Two more starts of the server: the retained copy is not taken as a new reading.
      expect([await ingestOnce(broker), await ingestOnce(broker)]).toEqual([[], []]);
      // And it was cleared: a fresh subscriber gets nothing retained.
      const watcher = await mqtt.connectAsync(broker.url, {
        username: 'opsroom-server',
        password: serverPassword,
        clientId: `watch-${process.pid}`,
        reconnectPeriod: 0,
      });
      expect(await replayedTo(watcher, deviceTopic(A, 'readings'))).toEqual([]);
    } finally {
      await broker.stop();
    }
    recordAttacks('retained reading replayed as new at server starts (plain Mosquitto)', 2);
  }, 15_000);
});
