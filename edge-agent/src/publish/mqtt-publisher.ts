import type { IClientOptions, MqttClient } from 'mqtt';
import { deviceTopic, encodeJsonReadings } from '@opsroom/models';
import type { Outbox, OutboxBatch } from '../outbox/outbox.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { createMqttClient } from './mqtt-transport.js';

export interface MqttPublisherOptions {
  /** `mqtt://`, `mqtts://`, `ws://` or `wss://` URL of the broker. */
  brokerUrl: string;
  /** MQTT username and topic level; the client id is `agent-<deviceId>`. */
  deviceId: string;
  /** MQTT password. */
  secret: string;
  /** Where readings wait until the broker has them. The publisher only peeks and acks. */
  outbox: Outbox;
  /** Readings per message, at most (default 500). */
  batchMax?: number;
  /** Messages per second, at most (default 20). */
  maxMessagesPerSecond?: number;
  /** ms between reconnection attempts (default 1000). */
  reconnectPeriodMs?: number;
  /** ms to wait for CONNACK (default 10,000). */
  connectTimeoutMs?: number;
  /** Called with each directive (parsed JSON) that arrives on the device's `commands` topic. */
  onDirective?: (directive: unknown, topic: string) => void;
  logger?: Logger;
  /** Clock for `lastPublishAt` (ms since epoch). */
  now?: () => number;
  /** Extra mqtt.js options (TLS `ca`, `rejectUnauthorized`, …); the ones above take precedence. */
  mqtt?: Partial<IClientOptions>;
}

export interface PublisherStats {
  /** Connected to the broker now. */
  connected: boolean;
  /** The broker granted the commands subscription (directives reach this device from now on). */
  commandsSubscribed: boolean;
  /** Readings the broker acknowledged (PUBACK) and the outbox removed. */
  published: number;
  /** Messages the broker acknowledged. */
  messages: number;
  /** Readings in the message awaiting its PUBACK (0 or one batch). */
  inFlight: number;
  /** Successful reconnections after the first connection. */
  reconnects: number;
  /** When the last PUBACK arrived (the injected clock), null before the first. */
  lastPublishAt: number | null;
  /** Directives received on the commands topic, and how many were not JSON. */
  directives: number;
  badDirectives: number;
  /** Publishes that failed outright (they stay in the outbox and are retried). */
  publishErrors: number;
}

class PublisherClosedError extends Error {
  constructor() {
    super('publisher closed');
  }
}

/**
 * Drains an outbox to the broker, in order, one message in flight at a time:
 * peek up to `batchMax` readings -> publish them as one JSON message at QoS 1 to
 * `opsroom/v1/devices/<id>/readings` -> on PUBACK, ack (delete) them from the outbox.
 *
 * A session is persistent (`clean: false`) so the broker keeps the commands subscription and
 * mqtt.js resends the message in flight after a reconnect. While disconnected it publishes
 * nothing (readings wait in the outbox) and resumes on reconnect. Delivery is at-least-once:
 * a message whose PUBACK was lost is sent again.
 */
export class MqttPublisher {
  private readonly topic: string;
  private readonly commandsTopic: string;
  private readonly statusTopic: string;
  private readonly batchMax: number;
  private readonly minGapMs: number;
  private readonly log: Logger;
  private readonly now: () => number;
  private client: MqttClient | undefined;
  private closing = false;
  private draining: Promise<void> | undefined;
  private abortInFlight: ((err: Error) => void) | undefined;
  private wake: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastStart = -Infinity;
  private everConnected = false;
  private subscribed = false;
  private lastError = '';
  private readonly counters: Omit<PublisherStats, 'connected' | 'commandsSubscribed'> = {
    published: 0,
    messages: 0,
    inFlight: 0,
    reconnects: 0,
    lastPublishAt: null,
    directives: 0,
    badDirectives: 0,
    publishErrors: 0,
  };

  constructor(private readonly opts: MqttPublisherOptions) {
    this.topic = deviceTopic(opts.deviceId, 'readings');
    this.commandsTopic = deviceTopic(opts.deviceId, 'commands');
    this.statusTopic = deviceTopic(opts.deviceId, 'status');
    this.batchMax = opts.batchMax ?? 500;
    this.minGapMs = 1000 / (opts.maxMessagesPerSecond ?? 20);
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Opens the connection (it retries on its own) and starts draining. Returns at once. Throws
   * for a broker URL that is not mqtt://, mqtts://, ws:// or wss://.
   */
  start(): void {
    if (this.client || this.closing) return;
    const o = this.opts;
    const client = createMqttClient(o.brokerUrl, {
      ...o.mqtt,
      clientId: `agent-${o.deviceId}`,
      username: o.deviceId,
      password: o.secret,
      clean: false,
      reconnectPeriod: o.reconnectPeriodMs ?? 1000,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      // Keep trying after a refused CONNACK too: the broker's auth backend may not be ready yet,
      // or the device may be added to the model later. The error is logged once.
      reconnectOnConnackError: true,
      resubscribe: false,
      // mqtt-packet's cache of pre-encoded message ids is 65,536 Buffers, ~6 MB of heap: a
      // third of the agent's. It saves one 2-byte allocation per message; we send ≤ 20/s.
      // (The switch is module-wide in mqtt-packet: other clients in the process stop using it too.)
      writeCache: o.mqtt?.writeCache ?? false,
    });
    this.client = client;
    client.on('connect', (connack) => {
      if (this.everConnected) this.counters.reconnects++;
      this.everConnected = true;
      this.lastError = '';
      this.log.info(
        { deviceId: o.deviceId, sessionPresent: connack.sessionPresent, queued: o.outbox.depth() },
        'connected to the broker',
      );
      this.subscribeCommands(client, connack.sessionPresent);
      this.kick();
    });
    client.on('offline', () =>
      this.log.warn(
        { deviceId: o.deviceId, queued: o.outbox.depth() },
        'broker unreachable; buffering readings in the outbox',
      ),
    );
    client.on('error', (err) => {
      // mqtt.js retries every reconnectPeriod; say each distinct problem once.
      if (err.message === this.lastError) return;
      this.lastError = err.message;
      this.log.error({ deviceId: o.deviceId, err: err.message }, 'MQTT connection error; retrying');
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  /**
   * Subscribes to the commands topic unless the broker resumed a session that has it
   * ([MQTT-3.2.2-2]: sessionPresent means the subscriptions survived). Done here rather than by
   * mqtt.js's `resubscribe`, which forgets a subscription whose first attempt failed.
   */
  private subscribeCommands(client: MqttClient, sessionPresent: boolean): void {
    if (sessionPresent && this.subscribed) return;
    this.subscribed = false;
    client.subscribe(this.commandsTopic, { qos: 1 }, (err, granted) => {
      if (!err && granted?.[0] && granted[0].qos !== 128) this.subscribed = true;
      else if (!this.closing)
        this.log.warn(
          { topic: this.commandsTopic, err: err?.message ?? 'refused by the broker' },
          'could not subscribe to commands; retrying on the next connection',
        );
    });
  }

  /** Says that the outbox has new readings; starts a drain unless one is running. */
  kick(): void {
    if (this.closing || this.draining || !this.client?.connected || this.opts.outbox.depth() === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /**
   * Waits until the outbox is empty and nothing is in flight; true if it got there within
   * `timeoutMs`. Returns false at once when disconnected (nothing would drain).
   */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.kick();
      if (this.opts.outbox.depth() === 0 && this.counters.inFlight === 0) return true;
      if (this.closing || !this.client?.connected || Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Publishes one message on the device's `status` topic at QoS 1 when connected (health
   * readings, directive acks). Returns false, sending nothing, when not connected: status is
   * about now, so it is not buffered.
   */
  publishStatus(payload: string): boolean {
    const client = this.client;
    if (this.closing || !client?.connected) return false;
    client.publish(this.statusTopic, payload, { qos: 1 }, (err) => {
      if (err && !this.closing)
        this.log.debug({ topic: this.statusTopic, err: err.message }, 'status message not acknowledged');
    });
    return true;
  }

  stats(): PublisherStats {
    return { connected: this.client?.connected ?? false, commandsSubscribed: this.subscribed, ...this.counters };
  }

  /**
   * Disconnects (gracefully if nothing is in flight) and stops draining. The outbox is left
   * open: whoever opened it closes it. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.retryTimer);
    this.wake?.();
    const client = this.client;
    const graceful = client?.connected === true && this.counters.inFlight === 0;
    this.abortInFlight?.(new PublisherClosedError());
    await this.draining;
    if (client) {
      const ended = client.endAsync(!graceful);
      const timeout = new Promise<'timeout'>((r) => setTimeout(r, 1000, 'timeout').unref());
      if ((await Promise.race([ended, timeout])) === 'timeout') await client.endAsync(true);
    }
    this.log.info({ deviceId: this.opts.deviceId, ...this.counters }, 'publisher closed');
  }

  private async drain(): Promise<void> {
    const outbox = this.opts.outbox;
    while (!this.closing && this.client?.connected && outbox.depth() > 0) {
      await this.pace();
      if (this.closing || !this.client?.connected) return;
      const batch = outbox.peek(this.batchMax);
      if (batch.readings.length === 0) return;
      this.counters.inFlight = batch.readings.length;
      this.lastStart = performance.now();
      try {
        await this.publish(batch);
      } catch (err) {
        if (err instanceof PublisherClosedError) return;
        this.counters.publishErrors++;
        this.log.warn(
          { deviceId: this.opts.deviceId, err: (err as Error).message, readings: batch.readings.length },
          'publish failed; the readings stay in the outbox and will be retried',
        );
        this.retryTimer = setTimeout(() => this.kick(), this.opts.reconnectPeriodMs ?? 1000);
        return;
      } finally {
        this.counters.inFlight = 0;
      }
      // [MQTT-4.3.2] PUBACK received: the broker owns the message now, so it may leave the outbox.
      outbox.ack(batch);
      this.counters.published += batch.readings.length;
      this.counters.messages++;
      this.counters.lastPublishAt = this.now();
    }
  }

  private publish(batch: OutboxBatch): Promise<void> {
    const payload = encodeJsonReadings(batch.readings);
    return new Promise<void>((resolve, reject) => {
      this.abortInFlight = reject;
      this.client!.publish(this.topic, payload, { qos: 1 }, (err) => {
        this.abortInFlight = undefined;
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Keeps at least `1000 / maxMessagesPerSecond` ms between two message starts. */
  private pace(): Promise<void> {
    const wait = this.lastStart + this.minGapMs - performance.now();
    if (wait <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, wait);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic !== this.commandsTopic) return;
    this.counters.directives++;
    let directive: unknown;
    try {
      directive = JSON.parse(payload.toString('utf8'));
    } catch {
      this.counters.badDirectives++;
      this.log.warn({ topic, bytes: payload.length }, 'directive is not JSON; ignored');
      return;
    }
    try {
      this.opts.onDirective?.(directive, topic);
    } catch (err) {
      this.log.error({ topic, err: (err as Error).message }, 'directive handler failed');
    }
  }
}
