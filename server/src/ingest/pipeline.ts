import {
  decodeDirectiveAck,
  DEFAULT_DECODE_LIMITS,
  parseDeviceTopic,
  payloadFormat,
  type DirectiveAck,
  type Model,
  type ReadingBatch,
  type Rejection,
} from '@opsroom/models';
import { RateLimitedLog, type Logger } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/registry.js';
import type { TimeSeriesStore } from '../store/store.js';
import { SeriesTags } from './series-tags.js';
import { validateMessage } from './validate-message.js';
import { WriteBatcher } from './write-batcher.js';

export interface PipelineOptions {
  model: () => Model;
  store: TimeSeriesStore;
  metrics: ServerMetrics;
  logger: Logger;
  now: () => number;
  /**
   * A monotonic clock in ms for `opsroom_ingest_to_store_seconds` (default performance.now): `now`
   * is the wall clock that timestamps readings, whole milliseconds and free to jump.
   */
  latencyClock?: () => number;
  /** Called with each message's readings (in columns) once the store has accepted them. */
  onReadings: (batch: ReadingBatch, channel: 'readings' | 'status') => void;
  /** Explains a rejection to the device (its `rejects` topic). */
  explain: (deviceId: string, body: string) => void;
  /** A device acknowledged a directive (a `{"type":"directive-ack"}` object on its status topic). */
  onDirectiveAck?: (deviceId: string, ack: DirectiveAck) => void;
}

/** A directive acknowledgement, or null when the status payload is something else (health readings). */
export function parseDirectiveAck(topic: string, payload: Uint8Array): { deviceId: string; ack: DirectiveAck } | null {
  if (!topic.endsWith('/status')) return null; // the readings hot path: no second topic parse
  const t = parseDeviceTopic(topic);
  if (!t || t.channel !== 'status' || payloadFormat(payload) !== 'json') return null;
  const ack = decodeDirectiveAck(payload);
  return ack ? { deviceId: t.deviceId, ack } : null;
}

/**
 * One MQTT message in, validated readings out: decode, attribute to the device's node, refuse and
 * count what is bad, write the good readings (batched across messages), then hand them on.
 * The returned promise settles when the readings are durable — the caller acknowledges the
 * message (PUBACK) only then. Shared by the embedded broker's in-process hook and the MQTT client
 * ingest of an external broker.
 */
export class IngestPipeline {
  private readonly batcher: WriteBatcher;
  private readonly rlog: RateLimitedLog;
  /** Which tag set each device's metrics come from (series-tags.ts). */
  private readonly series = new SeriesTags();
  private readonly latencyClock: () => number;

  constructor(private readonly opts: PipelineOptions) {
    this.batcher = new WriteBatcher(opts.store);
    this.rlog = new RateLimitedLog(opts.logger);
    this.latencyClock = opts.latencyClock ?? (() => performance.now());
  }

  accept(topic: string, payload: Uint8Array): Promise<void> {
    const o = this.opts;
    const arrived = this.latencyClock();
    o.metrics.messagesReceived.inc();
    const ack = parseDirectiveAck(topic, payload);
    if (ack) {
      // debug: a device may send any number of these; the accepted ones are in the alert's trail.
      o.logger.debug({ deviceId: ack.deviceId, alert: ack.ack.alert }, 'a device acknowledged a directive');
      o.onDirectiveAck?.(ack.deviceId, ack.ack);
      return Promise.resolve();
    }
    let v;
    try {
      v = validateMessage(topic, payload, o.model(), o.now(), DEFAULT_DECODE_LIMITS, this.series);
    } catch (err) {
      o.logger.error({ err, topic }, 'ingest: unexpected error validating a message');
      return Promise.resolve();
    }
    if (v.rejections.length > 0) this.reject(v.deviceId, topic, v.rejections);
    if (v.batch === null || !v.channel) return Promise.resolve();
    const { channel, batch } = v;
    return this.batcher.add(batch).then(
      () => {
        o.metrics.ingestToStore.observe((this.latencyClock() - arrived) / 1000);
        o.metrics.readingsAccepted.inc({}, batch.length);
        try {
          o.onReadings(batch, channel);
        } catch (err) {
          o.logger.error({ err }, 'ingest: a reading consumer failed');
        }
      },
      (err: unknown) => {
        o.metrics.storeWriteErrors.inc();
        o.logger.error({ err }, 'ingest: store write failed; the message is not acknowledged and will be redelivered');
        throw err;
      },
    );
  }

  private reject(deviceId: string | null, topic: string, rejections: Rejection[]): void {
    const o = this.opts;
    for (const r of rejections) o.metrics.readingsRejected.inc({ cause: r.code });
    this.rlog.warn(
      `reject:${deviceId}:${rejections[0]!.code}`,
      { deviceId, topic, count: rejections.length, first: rejections[0] },
      'ingest: rejected input',
    );
    if (deviceId) {
      const body = JSON.stringify({
        topic,
        at: new Date(o.now()).toISOString(),
        rejected: rejections.length,
        reasons: rejections.slice(0, 20),
      });
      try {
        o.explain(deviceId, body);
      } catch {
        /* a device id that cannot form a topic gets no explanation */
      }
    }
  }
}
