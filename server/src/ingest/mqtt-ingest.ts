import { createHash } from 'node:crypto';
import { allDevicesFilter, deviceTopic, encodeDirective, redactUrl, type Directive } from '@opsroom/models';
import { RateLimitedLog, type Logger } from '../log/logger.js';
import type { IngestPipeline } from './pipeline.js';
import { brokerConnection } from './broker-credentials.js';
import { DEFAULT_ACK_WINDOW, OrderedAcks } from './ordered-acks.js';
import { Redeliveries } from './redeliveries.js';
import { MqttSession, type IncomingPublish } from './mqtt-session.js';

export interface MqttIngestOptions {
  /** The broker's URL; credentials in it are taken out and sent as options ({@link brokerConnection}). */
  brokerUrl: string;
  /** The server's user name and password; they win over the URL's user info. */
  username?: string;
  password?: string;
  /** PEM CA certificate(s) for the broker's TLS certificate (`--broker-ca`); default Node's public root CAs. */
  ca?: Buffer;
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
 * Ingest from an external broker (Mosquitto, EMQX…): one MQTT connection (MqttSession, the
 * ingest's own MQTT 3.1.1 client) subscribed to every device's readings and status at QoS 1 in a
 * persistent session (clean session 0, {@link ingestClientId}), so readings published while the
 * server is down wait in the broker. A message is acknowledged (PUBACK) only after the store
 * accepted its readings, so a crash before the write means redelivery. Up to `ackWindow` messages
 * (and 32 MiB of payload) are stored at once, and their PUBACKs go in the order the messages came
 * (OrderedAcks), those of one turn in one socket write. One connection, one session: each device's
 * readings reach the pipeline in the order the broker delivered them.
 */
export async function startMqttIngest(opts: MqttIngestOptions): Promise<DeviceChannel> {
  const conn = brokerConnection(opts.brokerUrl, opts.username, opts.password);
  const retainedLog = new RateLimitedLog(opts.logger);
  const redeliveries = new Redeliveries();
  // Many messages are stored at once (the pipeline writes all of one event-loop turn in one store
  // transaction), each acknowledged in order once stored: see OrderedAcks.
  const acks = new OrderedAcks((messageId) => {
    redeliveries.acknowledged(messageId);
    session.ack(messageId);
  }, opts.ackWindow ?? DEFAULT_ACK_WINDOW);
  let connection = 0; // which connection a message came on
  let wasUp = false;
  let closing = false;
  const dropConnection = (on: number) => {
    if (on !== connection) return; // that connection is gone already
    // Not acknowledged: reconnecting makes the broker redeliver it and everything after it
    // (persistent session); the store ignores what it already holds.
    session.drop();
  };
  const resume = () => session.resume();

  const onPublish = (packet: IncomingPublish) => {
    // Closing: not taken nor acknowledged (the broker keeps it for the next start).
    if (closing) return;
    const on = connection;
    const id = packet.qos > 0 ? packet.messageId : undefined;
    let settled: Promise<void>;
    if (id === undefined) settled = ingestOne(packet);
    else {
      // A redelivery of a message the gone connection already handed to the pipeline is not
      // ingested twice: it is acknowledged once that ingest is stored (or ingested anew if it failed).
      const earlier = packet.dup ? redeliveries.take(id, packet.topic, packet.payload) : undefined;
      settled = earlier ? earlier.catch(() => ingestOne(packet)) : ingestOne(packet);
      redeliveries.received(id, packet.topic, packet.payload, settled);
    }
    settled.catch(() => dropConnection(on));
    acks.add(id, settled, packet.payload.length);
    // Too many being stored: stop reading until some are acknowledged (the broker keeps the rest).
    if (!acks.hasRoom()) {
      session.pause();
      acks.whenRoom(resume);
    }
  };
  const ingestOne = (packet: IncomingPublish): Promise<void> => {
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
      session.publish(packet.topic, Buffer.alloc(0), 1, true);
      return Promise.resolve();
    }
    try {
      return opts.pipeline().accept(packet.topic, packet.payload);
    } catch (err) {
      return Promise.reject(err);
    }
  };

  const session: MqttSession = new MqttSession({
    url: conn.url,
    clientId: ingestClientId(conn.url, conn.username, conn.password, opts.serverId),
    ...(conn.username === undefined ? {} : { username: conn.username }),
    ...(conn.password === undefined ? {} : { password: conn.password }),
    ...(opts.ca ? { ca: opts.ca } : {}),
    subscriptions: [allDevicesFilter('readings'), allDevicesFilter('status')],
    onPublish,
    onClose: () => {
      connection++;
      acks.reset();
      redeliveries.connectionLost();
      if (wasUp && !closing) opts.logger.warn({}, 'ingest: lost the broker; reconnecting');
      wasUp = false;
    },
    onError: (err) => opts.logger.warn({ err: err.message }, 'ingest: mqtt error'),
    onUp: () => {
      wasUp = true;
    },
    reconnectMs: 1000,
    connectTimeoutMs: 10_000,
  });
  try {
    await session.start();
  } catch (err) {
    throw new Error(`cannot connect to the MQTT broker at ${redact(opts.brokerUrl)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  opts.logger.info({ broker: redact(opts.brokerUrl) }, 'ingest: subscribed to device readings');

  return {
    get connected() {
      return session.connected;
    },
    sendCommand(deviceId, directive) {
      session.publish(deviceTopic(deviceId, 'commands'), encodeDirective(directive), 1);
    },
    explain(deviceId, body) {
      session.publish(deviceTopic(deviceId, 'rejects'), body, 0);
    },
    async close() {
      // What is being stored is acknowledged before the connection ends (else the broker would
      // redeliver up to the window at the next start, to be replayed to the detectors); at most
      // CLOSE_DRAIN_MS, in case the store hangs.
      closing = true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([acks.settledAll(), new Promise<void>((r) => (timer = setTimeout(r, CLOSE_DRAIN_MS)))]);
      clearTimeout(timer);
      await session.end();
    },
  };
}

/** How long a graceful close waits for the messages being stored to be acknowledged, ms. */
const CLOSE_DRAIN_MS = 5000;

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
