import { createHash } from 'node:crypto';
import mqtt, { type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import { allDevicesFilter, deviceTopic, encodeDirective, redactUrl, type Directive } from '@opsroom/models';
import { RateLimitedLog, type Logger } from '../log/logger.js';
import type { IngestPipeline } from './pipeline.js';
import { brokerConnection } from './broker-credentials.js';
import { DEFAULT_ACK_WINDOW, OrderedAcks } from './ordered-acks.js';
import { Redeliveries } from './redeliveries.js';

export interface MqttIngestOptions {
  /** The broker's URL; credentials in it are taken out and sent as options ({@link brokerConnection}). */
  brokerUrl: string;
  /** The server's user name and password; they win over the URL's user info. */
  username?: string;
  password?: string;
  /** The model's server this process is (`--server-id`): part of the session's client id ({@link ingestClientId}). */
  serverId?: string;
  pipeline: () => IngestPipeline;
  logger: Logger;
  /** Messages stored at once before the client stops reading (default {@link DEFAULT_ACK_WINDOW}). */
  ackWindow?: number;
}

/** What the server sends to devices, whichever broker it uses. */
export interface DeviceChannel {
  readonly connected: boolean;
  /** Publishes a directive to one device's commands topic (QoS 1). */
  /** Publishes a directive (QoS 1) on the device's commands topic. */
  sendCommand(deviceId: string, directive: Directive): void;
  /** Publishes why a message was refused to the device's rejects topic (QoS 0). */
  explain(deviceId: string, body: string): void;
  close(): Promise<void>;
}

/**
 * Ingest from an external broker (Mosquitto, EMQX…): one MQTT client subscribed to every device's
 * readings and status at QoS 1 in a persistent session (clean: false, {@link ingestClientId}), so
 * readings published while the server is down wait in the broker. A message is acknowledged
 * (PUBACK) only after the store accepted its readings, so a crash before the write means
 * redelivery. Up to `ackWindow` messages (and 32 MiB of payload) are stored at once (mqtt.js
 * alone would hand over the next message only after the previous one's PUBACK: one store write
 * per message), and their PUBACKs go in the order the messages came (OrderedAcks). One connection, one session: each
 * device's readings reach the pipeline in the order the broker delivered them.
 */
export async function startMqttIngest(opts: MqttIngestOptions): Promise<DeviceChannel> {
  const conn = brokerConnection(opts.brokerUrl, opts.username, opts.password);
  const client: MqttClient = mqtt.connect(conn.url, {
    clientId: ingestClientId(conn.url, conn.username, conn.password, opts.serverId),
    clean: false,
    username: conn.username,
    password: conn.password,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    // mqtt.js's debug calls cost ~2 % of the CPU at 10,000s of messages/s; DEBUG=mqttjs* keeps them.
    ...(process.env.DEBUG?.includes('mqttjs') ? {} : { log: () => undefined }),
  });

  const retainedLog = new RateLimitedLog(opts.logger);
  // Many messages are stored at once (the pipeline writes all of one event-loop turn in one store
  // transaction), each acknowledged in order once stored: see OrderedAcks.
  const sendPacket = holdPubacks(client);
  const redeliveries = new Redeliveries();
  const acks = new OrderedAcks((messageId) => {
    redeliveries.acknowledged(messageId);
    sendPacket({ cmd: 'puback', messageId });
  }, opts.ackWindow ?? DEFAULT_ACK_WINDOW);
  let connection = 0; // which connection a message came on
  client.on('close', () => {
    connection++;
    acks.reset();
    redeliveries.connectionLost();
  });
  const dropConnection = (on: number) => {
    if (on !== connection) return; // that connection is gone already
    connection++;
    // Not acknowledged: reconnecting makes the broker redeliver it and everything after it
    // (persistent session); the store ignores what it already holds.
    client.end(true, {}, () => client.reconnect());
  };

  let closing = false;
  client.handleMessage = (packet, done) => {
    // Closing: not taken nor acknowledged (the broker keeps it for the next start); mqtt.js reads
    // on, so that the PUBACKs of our own publishes still come in and its end() can finish.
    if (closing) return done();
    const on = connection;
    const id = packet.qos > 0 ? packet.messageId : undefined;
    let settled: Promise<void>;
    if (id === undefined) settled = ingestOne(packet);
    else {
      // A redelivery of a message the gone connection already handed to the pipeline is not
      // ingested twice: it is acknowledged once that ingest is stored (or ingested anew if it failed).
      const bytes = bytesOf(packet);
      const earlier = packet.dup ? redeliveries.take(id, packet.topic, bytes) : undefined;
      settled = earlier ? earlier.catch(() => ingestOne(packet)) : ingestOne(packet);
      redeliveries.received(id, packet.topic, bytes, settled);
    }
    settled.catch(() => dropConnection(on));
    acks.add(id, settled, packet.payload.length);
    // For QoS 1, mqtt.js now hands the PUBACK to holdPubacks, which leaves it to `acks`.
    acks.whenRoom(done);
  };
  const ingestOne = (packet: IPublishPacket): Promise<void> => {
    // An empty message is how a retained one is cleared (ours below, or anyone's): nothing to ingest.
    if (packet.payload.length === 0) return Promise.resolve();
    if (packet.retain) {
      // A retained message, replayed because we (re)subscribed: not a new reading, and without a
      // timestamp it would be stored as fresh at every start. It was ingested when it was
      // published; clear it so it stops coming back (brokers configured by `opsroom broker-config`
      // refuse retained messages outright: retain_available false).
      retainedLog.warn(
        packet.topic,
        { topic: packet.topic.slice(0, 200) },
        'ingest: ignored and cleared a retained message',
      );
      client.publish(packet.topic, '', { qos: 1, retain: true });
      return Promise.resolve();
    }
    try {
      return opts.pipeline().accept(packet.topic, bytesOf(packet));
    } catch (err) {
      return Promise.reject(err);
    }
  };
  client.on('error', (err) => opts.logger.warn({ err: err.message }, 'ingest: mqtt error'));
  client.on('offline', () => opts.logger.warn({}, 'ingest: lost the broker; reconnecting'));

  await new Promise<void>((resolve, reject) => {
    const onConnect = () => {
      client.off('error', onError);
      resolve();
    };
    const onError = (err: Error) => {
      client.off('connect', onConnect);
      client.end(true);
      reject(new Error(`cannot connect to the MQTT broker at ${redact(opts.brokerUrl)}: ${err.message}`));
    };
    client.once('connect', onConnect);
    client.once('error', onError);
  });
  await client.subscribeAsync([allDevicesFilter('readings'), allDevicesFilter('status')], { qos: 1 });
  opts.logger.info({ broker: redact(opts.brokerUrl) }, 'ingest: subscribed to device readings');

  return {
    get connected() {
      return client.connected;
    },
    sendCommand(deviceId, directive) {
      client.publish(deviceTopic(deviceId, 'commands'), encodeDirective(directive), { qos: 1 });
    },
    explain(deviceId, body) {
      if (client.connected) client.publish(deviceTopic(deviceId, 'rejects'), body, { qos: 0 });
    },
    async close() {
      // What is being stored is acknowledged before the connection ends (else the broker would
      // redeliver up to the window at the next start, to be replayed to the detectors); at most
      // CLOSE_DRAIN_MS, in case the store hangs.
      closing = true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([acks.settledAll(), new Promise<void>((r) => (timer = setTimeout(r, CLOSE_DRAIN_MS)))]);
      clearTimeout(timer);
      await client.endAsync();
    },
  };
}

/** How long a graceful close waits for the messages being stored to be acknowledged, ms. */
const CLOSE_DRAIN_MS = 5000;

const bytesOf = (packet: IPublishPacket): Uint8Array =>
  typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;

type SendPacket = (packet: Packet, cb?: (err?: Error) => void) => void;

/**
 * mqtt.js sends a QoS 1 message's PUBACK as soon as `handleMessage` calls back, and reads the next
 * packet only once that PUBACK is written. Here the callback runs at once (so the next message is
 * read while this one is stored) and the PUBACK mqtt.js then sends is held back: the returned send
 * (mqtt.js's own) is what OrderedAcks sends it with once the message is stored. Every PUBACK of
 * this client comes from that path (mqtt.js sends
 * one only from its PUBLISH handler; this client sends none itself). `_sendPacket` is mqtt.js's
 * own internal send (its handlers call it as client['_sendPacket']); the SIGKILL and restart
 * tests (server/test/ingest/) fail if a version changes it.
 */
function holdPubacks(client: MqttClient): SendPacket {
  const internal = client as unknown as { _sendPacket: (...args: unknown[]) => void };
  const send = internal._sendPacket.bind(client);
  internal._sendPacket = (...args: unknown[]) => {
    const [packet, cb] = args as [Packet, (() => void) | undefined];
    if (packet.cmd !== 'puback') return send(...args);
    // The callback only lets mqtt.js read on (acks.whenRoom already held it if too many wait).
    cb?.();
  };
  return (packet) => send(packet);
}

/**
 * The ingest session's client id: stable across restarts (the persistent session keeps readings
 * published while the server is down) and unguessable without the server's broker password, so a
 * device cannot take the session over on a broker that does not bind client ids to user names.
 * Mosquitto configured by `opsroom broker-config` replaces it with the server account's name
 * (`use_username_as_clientid`), which no device may have.
 * @example ingestClientId('mqtt://opsroom-server:pw@mosquitto:1883') // 'opsroom-ingest-' + 24 hex digits
 * @example ingestClientId('mqtt://opsroom-server:pw@mosquitto:1883', undefined, undefined, 'norte') // another one
 */
export function ingestClientId(brokerUrl: string, username?: string, password?: string, serverId?: string): string {
  let user = username ?? '';
  let pass = password ?? '';
  try {
    const u = new URL(brokerUrl);
    user ||= decodeURIComponent(u.username);
    pass ||= decodeURIComponent(u.password);
  } catch {
    /* not a URL: mqtt.connect will say so */
  }
  // A model's server (issue 19) has its own session even on a broker shared with the model's other servers under
  // the same account; without a server id the id is what it always was (an upgrade keeps its queued session).
  const salt = serverId === undefined ? '' : `\0${serverId}`;
  const digest = createHash('sha256').update(`opsroom-ingest\0${user}\0${pass}${salt}`).digest('hex');
  return `opsroom-ingest-${digest.slice(0, 24)}`;
}

/** A broker URL without its password, for logs (the one redaction every package uses). */
export const redact = redactUrl;
