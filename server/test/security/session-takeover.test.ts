import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic, encodeDirective, type Directive, type Model } from '@opsroom/models';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded-broker.js';
import { ingestClientId, startMqttIngest, type DeviceChannel } from '../../src/ingest/mqtt-ingest.js';
import type { IngestPipeline } from '../../src/ingest/pipeline.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadModelFile } from '../../src/model/index.js';
import { findBinary } from '../support/require-binary.js';
import { startConfiguredMosquitto, type ConfiguredMosquitto } from '../support/configured-mosquitto.js';
import { demoCredentials, EXAMPLE_MODEL } from '../support/demo-fixture.js';
import { recordAttacks } from '../support/attack-ledger.js';

/**
 * Issue 16 point 1: a device's MQTT session is bound to its identity (its client id is its device
 * id, whatever it sends), on the embedded broker and on a Mosquitto configured only by what
 * `opsroom broker-config` writes. A device that connects with another's client id gets none of its
 * queued directives and cannot kick it off; a device that connects with the server's ingest client
 * id cannot take the server's session, so every reading of every victim is delivered.
 */
const creds = demoCredentials();
const A = 'taller-1-plc'; // the attacker: a real device with its own valid secret
const B = 'aserradero-plc'; // the victim
const VICTIM_CLIENT_ID = `agent-${B}`; // what the edge agent sends (edge-agent/src/publish/mqtt-publisher.ts)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Target {
  url: string;
  /** The server's directive path to a device (QoS 1 on its commands topic). */
  sendCommand(deviceId: string, directive: Directive): void;
  /** Messages the server's ingest received, in order (external broker only). */
  ingested?: Array<{ topic: string; payload: string }>;
  /** Client ids a device might try to take the server's ingest session with. */
  serverClientIds?: string[];
  stop(): Promise<void>;
}

async function embeddedTarget(model: Model): Promise<Target> {
  const broker: EmbeddedBroker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    devices: () => model.devices,
    logger: silentLogger,
  });
  return { url: broker.url, sendCommand: (id, body) => broker.sendCommand(id, body), stop: () => broker.close() };
}

const mosquitto = findBinary('mosquitto');

async function mosquittoTarget(): Promise<Target> {
  // Exactly what broker-config wrote, on the harness's own loopback listener instead of `listener 1883`.
  const broker: ConfiguredMosquitto = await startConfiguredMosquitto(mosquitto!, 'server-pw-for-the-takeover-test');
  const brokerUrl = broker.serverUrl;
  const ingested: Array<{ topic: string; payload: string }> = [];
  const pipeline = {
    accept: async (topic: string, payload: Uint8Array) => {
      ingested.push({ topic, payload: Buffer.from(payload).toString() });
    },
  } as unknown as IngestPipeline;
  const channel: DeviceChannel = await startMqttIngest({ brokerUrl, pipeline: () => pipeline, logger: silentLogger });
  return {
    url: broker.url,
    sendCommand: (id, body) => channel.sendCommand(id, body),
    ingested,
    serverClientIds: ['opsroom-server-ingest', 'opsroom-server', ingestClientId(brokerUrl)],
    async stop() {
      await channel.close();
      await broker.stop();
    },
  };
}

// The embedded broker ingests in-process: there is no server MQTT session to take there.
const targets: Array<[string, () => Promise<Target>, boolean]> = [
  ['the embedded broker', async () => embeddedTarget(await loadModelFile(EXAMPLE_MODEL)), false],
];
if (mosquitto) targets.push(['Mosquitto configured by opsroom broker-config', mosquittoTarget, true]);

/** The n-th directive of a test: a full directive as the server sends it. */
const directive = (n: number): Directive => ({
  type: 'directive',
  alert: `a${n}`,
  indicator: 'output',
  from: 'planner',
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
});

describe.each(targets)('a device cannot take over another session on %s', (_name, start, externalIngest) => {
  let target: Target;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    target = await start();
  }, 30_000);
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
    await target?.stop();
  });

  /** Connects, recording every message from the first one (queued messages arrive right after CONNACK). */
  const connect = async (deviceId: string, clientId: string, clean = false) => {
    const c = mqtt.connect(target.url, {
      username: deviceId,
      password: creds.devices[deviceId],
      clientId,
      clean,
      reconnectPeriod: 0,
    });
    clients.push(c);
    const seen: string[] = [];
    c.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => resolve());
      c.once('error', reject);
    });
    return Object.assign(c, { seen });
  };

  it("gives a device none of another device's queued directives, and the victim gets them all", async () => {
    // The victim's agent has a persistent session subscribed to its commands, then goes offline.
    const b = await connect(B, VICTIM_CLIENT_ID);
    await b.subscribeAsync(deviceTopic(B, 'commands'), { qos: 1 });
    await b.endAsync();
    for (let n = 1; n <= 3; n++) target.sendCommand(B, directive(n));
    await sleep(300);

    // The attacker connects with the victim's client ids (the agent's, and the bare device id).
    const stolen: string[] = [];
    for (const clientId of [VICTIM_CLIENT_ID, B]) {
      const a = await connect(A, clientId);
      await sleep(400);
      stolen.push(...a.seen);
      await a.endAsync();
    }
    expect(stolen).toEqual([]);

    const back = await connect(B, VICTIM_CLIENT_ID);
    const received = back.seen;
    for (let i = 0; i < 50 && received.length < 3; i++) await sleep(100);
    expect(received).toEqual([1, 2, 3].map((n) => `${deviceTopic(B, 'commands')} ${encodeDirective(directive(n))}`));
    await back.endAsync();
    recordAttacks(`took a victim's session with its client ids to steal its queued directives (${_name})`, 2);
  }, 20_000);

  it('cannot kick a live device off by connecting with its client id', async () => {
    const b = await connect(B, VICTIM_CLIENT_ID);
    await b.subscribeAsync(deviceTopic(B, 'commands'), { qos: 1 });
    const received = b.seen;
    let closed = false;
    b.on('close', () => (closed = true));
    for (const clientId of [VICTIM_CLIENT_ID, B]) await connect(A, clientId);
    await sleep(300);
    expect(closed).toBe(false);
    target.sendCommand(B, directive(4));
    for (let i = 0; i < 50 && received.length < 1; i++) await sleep(100);
    expect(received).toEqual([`${deviceTopic(B, 'commands')} ${encodeDirective(directive(4))}`]);
    await b.endAsync();
    recordAttacks(`kicked a live device off with its client ids (${_name})`, 2);
  }, 20_000);

  it('holds at most one live connection per device: a second connection of the same device replaces the first', async () => {
    const first = await connect(A, `one-${process.pid}`, true);
    const closed = new Promise<boolean>((resolve) => {
      first.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 2000);
    });
    const second = await connect(A, `two-${process.pid}`, true);
    expect(await closed).toBe(true);
    expect(second.connected).toBe(true);
    await second.endAsync();
    recordAttacks(`a second connection of one device kept beside the first (${_name})`, 1);
  });

  (externalIngest ? it : it.skip)(
    "cannot take the server's ingest session: every reading of the victim is delivered",
    async () => {
      const before = target.ingested!.length;
      let attacking = true;
      let grabs = 0;
      // The attacker keeps grabbing the server's client ids (persistent session) while the victim publishes.
      const attack = (async () => {
        for (let i = 0; attacking; i++) {
          const clientId = target.serverClientIds![i % target.serverClientIds!.length]!;
          grabs++;
          const a = await mqtt
            .connectAsync(target.url, {
              username: A,
              password: creds.devices[A],
              clientId,
              clean: false,
              reconnectPeriod: 0,
            })
            .catch(() => null);
          await sleep(60);
          await a?.endAsync(true).catch(() => undefined);
        }
      })();
      const b = await connect(B, VICTIM_CLIENT_ID, true);
      const t0 = Date.now() - 60_000;
      for (let n = 0; n < 20; n++) {
        await b.publishAsync(deviceTopic(B, 'readings'), JSON.stringify({ metric: 'output', value: n, ts: t0 + n }), {
          qos: 1,
        });
        await sleep(50);
      }
      attacking = false;
      await attack;
      const mine = () => target.ingested!.slice(before).filter((m) => m.topic === deviceTopic(B, 'readings'));
      for (let i = 0; i < 100 && mine().length < 20; i++) await sleep(100);
      expect(new Set(mine().map((m) => (JSON.parse(m.payload) as { value: number }).value))).toEqual(
        new Set(Array.from({ length: 20 }, (_, n) => n)),
      );
      await b.endAsync();
      recordAttacks(`grabbed the server's ingest client ids while a victim published 20 readings (${_name})`, grabs);
    },
    30_000,
  );
});
