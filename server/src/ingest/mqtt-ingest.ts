import { createHash } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { allDevicesFilter, deviceTopic, encodeDirective, redactUrl, type Directive } from '@opsroom/models';
import { RateLimitedLog, type Logger } from '../log/logger.js';
import type { IngestPipeline } from './pipeline.js';
import { brokerConnection } from './broker-credentials.js';

export interface MqttIngestOptions {
  /** The broker's URL; credentials in it are taken out and sent as options ({@link brokerConnection}). */
  brokerUrl: string;
  /** The server's user name and password; they win over the URL's user info. */
  username?: string;
  password?: string;
  pipeline: () => IngestPipeline;
  logger: Logger;
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
 * (PUBACK) only after the store accepted its readings: mqtt.js sends the PUBACK when
 * `handleMessage`'s callback runs, so a crash before the write means redelivery.
 */
export async function startMqttIngest(opts: MqttIngestOptions): Promise<DeviceChannel> {
  const conn = brokerConnection(opts.brokerUrl, opts.username, opts.password);
  const client: MqttClient = mqtt.connect(conn.url, {
    clientId: ingestClientId(conn.url, conn.username, conn.password),
    clean: false,
    username: conn.username,
    password: conn.password,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });

  const retainedLog = new RateLimitedLog(opts.logger);
  client.handleMessage = (packet, done) => {
    // An empty message is how a retained one is cleared (ours below, or anyone's): nothing to ingest.
    if (packet.payload.length === 0) return done();
    if (packet.retain) {
      // A retained message, replayed because we (re)subscribed: not a new reading, and without a
      // timestamp it would be stored as fresh at every start. It was ingested when it was
      // published; clear it so it stops coming back (brokers configured by `opsroom broker-config`
      // refuse retained messages outright: retain_available false).
      retainedLog.warn(packet.topic, { topic: packet.topic.slice(0, 200) }, 'ingest: ignored and cleared a retained message');
      client.publish(packet.topic, '', { qos: 1, retain: true });
      return done();
    }
    const payload = typeof packet.payload === 'string' ? new TextEncoder().encode(packet.payload) : packet.payload;
    opts
      .pipeline()
      .accept(packet.topic, payload)
      .then(
        () => done(),
        () => {
          // Not acknowledged: reconnecting makes the broker redeliver it (persistent session).
          client.end(true, {}, () => client.reconnect());
        },
      );
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
      await client.endAsync();
    },
  };
}

/**
 * The ingest session's client id: stable across restarts (the persistent session keeps readings
 * published while the server is down) and unguessable without the server's broker password, so a
 * device cannot take the session over on a broker that does not bind client ids to user names.
 * Mosquitto configured by `opsroom broker-config` replaces it with the server account's name
 * (`use_username_as_clientid`), which no device may have.
 * @example ingestClientId('mqtt://opsroom-server:pw@mosquitto:1883') // 'opsroom-ingest-' + 24 hex digits
 */
export function ingestClientId(brokerUrl: string, username?: string, password?: string): string {
  let user = username ?? '';
  let pass = password ?? '';
  try {
    const u = new URL(brokerUrl);
    user ||= decodeURIComponent(u.username);
    pass ||= decodeURIComponent(u.password);
  } catch {
    /* not a URL: mqtt.connect will say so */
  }
  const digest = createHash('sha256').update(`opsroom-ingest\0${user}\0${pass}`).digest('hex');
  return `opsroom-ingest-${digest.slice(0, 24)}`;
}

/** A broker URL without its password, for logs (the one redaction every package uses). */
export const redact = redactUrl;
