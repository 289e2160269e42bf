import mqtt, { type MqttClient } from 'mqtt';
import { allDevicesFilter, DEFAULT_DECODE_LIMITS, deviceTopic, type Model, type NodeReading, type Rejection } from '@opsroom/models';
import type { Logger } from '../log/logger.js';
import { RateLimitedLog } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/registry.js';
import type { StoredPoint, TimeSeriesStore } from '../store/store.js';
import { validateMessage } from './validate-message.js';

export interface IngestOptions {
  brokerUrl: string;
  username?: string;
  password?: string;
  model: () => Model;
  store: TimeSeriesStore;
  metrics: ServerMetrics;
  logger: Logger;
  /** Called with the readings of each message once the store has accepted them. */
  onReadings: (readings: NodeReading[], channel: 'readings' | 'status') => void;
  now?: () => number;
}

export interface Ingest {
  readonly connected: boolean;
  /** Publishes a directive to one device's commands topic (QoS 1). */
  sendCommand(deviceId: string, body: unknown): void;
  close(): Promise<void>;
}

/**
 * The server's MQTT subscription: every device's readings and status, at QoS 1, in a persistent
 * session (clean: false), so readings published while the server is down wait in the broker.
 * A message is acknowledged (PUBACK) only after the store has accepted its readings: mqtt.js sends
 * the PUBACK when `handleMessage`'s callback runs, so a crash before the write means redelivery.
 */
export async function startIngest(opts: IngestOptions): Promise<Ingest> {
  const now = opts.now ?? Date.now;
  const rlog = new RateLimitedLog(opts.logger);
  const client: MqttClient = mqtt.connect(opts.brokerUrl, {
    clientId: 'opsroom-server-ingest',
    clean: false,
    username: opts.username,
    password: opts.password,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });

  const reject = (deviceId: string | null, topic: string, rejections: Rejection[]) => {
    for (const r of rejections) opts.metrics.readingsRejected.inc({ cause: r.code });
    rlog.warn(`reject:${deviceId}:${rejections[0]!.code}`, { deviceId, topic, count: rejections.length, first: rejections[0] }, 'ingest: rejected input');
    if (deviceId && client.connected) {
      // Explained to the device on its own rejects topic (it may subscribe to it).
      const body = JSON.stringify({ topic, at: new Date(now()).toISOString(), rejected: rejections.length, reasons: rejections.slice(0, 20) });
      try {
        client.publish(deviceTopic(deviceId, 'rejects'), body, { qos: 0 });
      } catch {
        /* an invalid device id cannot have a rejects topic */
      }
    }
  };

  client.handleMessage = (packet, done) => {
    opts.metrics.messagesReceived.inc();
    const payload = typeof packet.payload === 'string' ? new TextEncoder().encode(packet.payload) : packet.payload;
    let v;
    try {
      v = validateMessage(packet.topic, payload, opts.model(), now(), DEFAULT_DECODE_LIMITS);
    } catch (err) {
      opts.logger.error({ err, topic: packet.topic }, 'ingest: unexpected error validating a message');
      return done();
    }
    if (v.rejections.length > 0) reject(v.deviceId, packet.topic, v.rejections);
    if (v.readings.length === 0 || !v.channel) return done();
    const channel = v.channel;
    const points: StoredPoint[] = v.readings.map((r) => ({ node: r.node, metric: r.metric, deviceId: r.deviceId, ts: r.ts, value: r.value }));
    opts.store.writeBatch(points).then(
      () => {
        opts.metrics.readingsAccepted.inc({}, points.length);
        try {
          opts.onReadings(v.readings, channel);
        } catch (err) {
          opts.logger.error({ err }, 'ingest: a reading consumer failed');
        }
        done();
      },
      (err: unknown) => {
        // Not acknowledged: the broker redelivers the message on reconnect. Reconnect to trigger it.
        opts.metrics.storeWriteErrors.inc();
        opts.logger.error({ err }, 'ingest: store write failed; the message will be redelivered');
        client.end(true, {}, () => client.reconnect());
      },
    );
  };

  client.on('error', (err) => opts.logger.warn({ err: err.message }, 'ingest: mqtt error'));
  client.on('reconnect', () => opts.logger.debug({}, 'ingest: reconnecting to the broker'));

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
    sendCommand(deviceId, body) {
      client.publish(deviceTopic(deviceId, 'commands'), JSON.stringify(body), { qos: 1 });
    },
    async close() {
      await client.endAsync();
    },
  };
}

/** A broker URL without its password, for logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}
