import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt, { type ErrorWithReasonCode } from 'mqtt';
import { deviceTopic, type Logger, type Model } from '@opsroom/models';
import { MQTT5_REFUSAL, startEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded-broker.js';
import { startMqttIngest } from '../../src/ingest/mqtt-ingest.js';
import type { IngestPipeline } from '../../src/ingest/pipeline.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadModelFile } from '../../src/model/index.js';
import { startConfiguredMosquitto } from '../support/configured-mosquitto.js';
import { demoCredentials, EXAMPLE_MODEL } from '../support/demo-fixture.js';
import { findBinary } from '../support/require-binary.js';

/**
 * Issue 18 point 4: which MQTT versions each broker speaks. The embedded broker (aedes 1.x) speaks
 * 3.1.1 and 3.1 and refuses MQTT 5 clients with a 5.0 CONNACK (0x84 Unsupported Protocol Version,
 * with a reason string) and a log line; Mosquitto 2 speaks 5, 3.1.1 and 3.1, so MQTT 5 devices feed
 * opsroom through it. Real mqtt.js clients, real brokers, loopback sockets.
 */
const creds = demoCredentials();
const A = 'taller-1-plc';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MQTT 5 clients on the embedded broker', () => {
  let model: Model;
  let broker: EmbeddedBroker;
  const warnings: Array<{ obj: unknown; msg?: string }> = [];
  const logger: Logger = { ...silentLogger, warn: (obj, msg) => void warnings.push({ obj, msg }) };
  beforeAll(async () => {
    model = await loadModelFile(EXAMPLE_MODEL);
    broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      devices: () => model.devices,
      logger,
      onDeviceMessage: async () => undefined,
    });
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('are refused with CONNACK 0x84 Unsupported Protocol Version, a reason string, and a log line', async () => {
    const client = mqtt.connect(broker.url, {
      protocolVersion: 5,
      username: A,
      password: creds.devices[A],
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const packets: Array<{ cmd: string; reasonCode?: number; properties?: { reasonString?: string } }> = [];
    client.on('packetreceive', (p) => void packets.push(p as (typeof packets)[number]));
    const err = await new Promise<ErrorWithReasonCode>((resolve) =>
      client.once('error', (e) => resolve(e as ErrorWithReasonCode)),
    );
    client.end(true);
    expect(err.code).toBe(0x84);
    expect(packets[0]).toMatchObject({ cmd: 'connack', reasonCode: 0x84, properties: { reasonString: MQTT5_REFUSAL } });
    expect(MQTT5_REFUSAL).toContain('3.1.1');
    const line = warnings.find((w) => w.msg?.includes('MQTT 5'));
    expect(line?.msg).toContain('refused an MQTT 5 client');
    expect(line?.obj).toMatchObject({ protocolVersion: 5, address: '127.0.0.1' });
  });

  it('logs at a bounded rate: a client retrying in a loop does not flood the log', async () => {
    const before = warnings.filter((w) => w.msg?.includes('MQTT 5')).length;
    for (let i = 0; i < 10; i++) {
      const c = mqtt.connect(broker.url, {
        protocolVersion: 5,
        username: A,
        password: creds.devices[A],
        reconnectPeriod: 0,
      });
      await new Promise((r) => c.once('error', r));
      c.end(true);
    }
    expect(warnings.filter((w) => w.msg?.includes('MQTT 5')).length - before).toBeLessThanOrEqual(5);
  });

  it('still accepts MQTT 3.1.1 and 3.1 clients', async () => {
    for (const protocolVersion of [4, 3] as const) {
      const c = await mqtt.connectAsync(broker.url, {
        protocolVersion,
        clientId: A,
        username: A,
        password: creds.devices[A],
        reconnectPeriod: 0,
      });
      await c.publishAsync(deviceTopic(A, 'readings'), '{"metric":"output","value":1}', { qos: 1 });
      await c.endAsync();
    }
  });
});

const mosquitto = findBinary('mosquitto');
(mosquitto ? describe : describe.skip)('MQTT 5 devices through Mosquitto (broker-config)', () => {
  it('publish readings the server ingests (its own session speaks 3.1.1 to the same broker)', async () => {
    const broker = await startConfiguredMosquitto(mosquitto!, 'server-pw-for-the-mqtt5-test');
    const got: Array<[string, string]> = [];
    const pipeline = {
      accept: async (topic: string, p: Uint8Array) => void got.push([topic, Buffer.from(p).toString()]),
    } as unknown as IngestPipeline;
    const ingest = await startMqttIngest({
      brokerUrl: broker.serverUrl,
      pipeline: () => pipeline,
      logger: silentLogger,
    });
    try {
      const device = await mqtt.connectAsync(broker.url, {
        protocolVersion: 5,
        username: A,
        password: creds.devices[A],
        reconnectPeriod: 0,
      });
      await device.publishAsync(deviceTopic(A, 'readings'), 'output value=3\n', { qos: 1 });
      await device.endAsync();
      for (let i = 0; i < 50 && got.length === 0; i++) await sleep(50);
      expect(got).toEqual([[deviceTopic(A, 'readings'), 'output value=3\n']]);
    } finally {
      await ingest.close();
      await broker.stop();
    }
  }, 15_000);
});
