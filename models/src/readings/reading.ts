/** One measured value of one metric at one instant, as a device sends it. */
export interface Reading {
  /** Metric id; matches an indicator id of the model (e.g. `output`, `energy_kwh`). */
  metric: string;
  value: number;
  /** Milliseconds since the Unix epoch (UTC). */
  ts: number;
  /**
   * The tag set of a line-protocol line or Telegraf JSON metric, `key=value` pairs joined by `,`
   * with line-protocol escapes (`\\`, `\,`, `\=`, `\ `); only when decoded with `{ tags: true }`
   * and the line had tags. Ingest maps it by the device's `tags` rule (server/src/ingest/series-tags.ts).
   */
  tags?: string;
}

/** How a decoder reports tags: `tags: true` keeps each reading's tag set (default: tags are not reported). */
export interface DecodeOptions {
  tags?: boolean;
}

/** A reading after ingest has attributed it to a device and the node the model binds it to. */
export interface NodeReading extends Reading {
  deviceId: string;
  /** Node path (`valle/norte/lana/taller-1`), from the model's device binding, never from the payload. */
  node: string;
}

/** Metric ids: a letter, then letters, digits and `_`, at most 64. */
export const METRIC_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Limits every decoder enforces. Units in the names. */
export interface DecodeLimits {
  /** Largest payload accepted, bytes. */
  maxPayloadBytes: number;
  /** Most readings in one message. */
  maxReadingsPerMessage: number;
  /** Oldest accepted timestamp, relative to now, ms. */
  maxPastMs: number;
  /** Furthest accepted future timestamp, relative to now, ms (clock skew). */
  maxFutureMs: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxPayloadBytes: 256 * 1024, // 256 KiB
  maxReadingsPerMessage: 10_000,
  maxPastMs: 7 * 24 * 3600_000, // 7 days: an edge outbox may hold a week
  maxFutureMs: 5 * 60_000, // 5 minutes of clock skew
});

/** Why a reading (or a whole message) was refused. Codes are stable; counted by cause in /metrics. */
export type RejectCode =
  | 'payload_too_large'
  | 'malformed_json'
  | 'malformed_line_protocol'
  | 'bad_shape'
  | 'too_many_readings'
  | 'bad_metric'
  | 'bad_value'
  | 'bad_timestamp'
  | 'timestamp_out_of_range'
  | 'unknown_metric'
  | 'unknown_device'
  | 'bad_topic'
  /** A metric of this device already comes from another tag set (another series); see series-tags.ts. */
  | 'tag_conflict'
  /** A tagged reading lacks a tag its device's `tags.metric` rule names. */
  | 'missing_tag';

export interface Rejection {
  code: RejectCode;
  message: string;
  /** Index of the reading within the message, when one reading (not the message) was refused. */
  index?: number;
}

/** What a decoder returns: the good readings and, separately, every refusal. One bad reading never loses the rest. */
export interface Decoded {
  readings: Reading[];
  rejections: Rejection[];
}

/** Checks one timestamp against the limits; returns a rejection or null. */
export function checkTimestamp(ts: number, now: number, limits: DecodeLimits, index?: number): Rejection | null {
  if (!Number.isFinite(ts)) return { code: 'bad_timestamp', message: 'timestamp is not a finite number', index };
  if (ts < now - limits.maxPastMs || ts > now + limits.maxFutureMs) {
    return {
      code: 'timestamp_out_of_range',
      message:
        `timestamp ${Math.abs(ts) <= 8.64e15 ? new Date(ts).toISOString() : ts} ` +
        `is outside [now-${limits.maxPastMs}ms, now+${limits.maxFutureMs}ms]`,
      index,
    };
  }
  return null;
}
