import {
  checkTimestamp,
  DEFAULT_DECODE_LIMITS,
  METRIC_PATTERN,
  type DecodeLimits,
  type Decoded,
  type Reading,
  type Rejection,
} from './reading.js';
import { asText, byteLength } from './bytes.js';

/**
 * The JSON payload on `opsroom/v1/devices/{id}/readings`. Three shapes are accepted:
 *
 * ```json
 * {"metric": "output", "value": 12.5, "ts": 1764244800000}
 * [{"metric": "output", "value": 12.5, "ts": "2026-11-27T12:00:00Z"}, {"metric": "energy", "value": 3.1}]
 * {"ts": 1764244800000, "values": {"output": 12.5, "energy": 3.1}}
 * ```
 *
 * `ts` is milliseconds since the epoch or an ISO-8601 string; when absent the server's receive time is used.
 */
export type JsonReading = { metric: string; value: number; ts?: number | string };
export type JsonPayload = JsonReading | JsonReading[] | { ts?: number | string; values: Record<string, number> };

/** Encodes readings as one JSON batch (the shape the edge agent publishes). */
export function encodeJsonReadings(readings: readonly Reading[]): string {
  return JSON.stringify(readings.map((r) => ({ metric: r.metric, value: r.value, ts: r.ts })));
}

function parseTs(raw: unknown, now: number, limits: DecodeLimits, index: number | undefined): number | Rejection {
  if (raw === undefined || raw === null) return now;
  let ts: number;
  if (typeof raw === 'number') ts = raw;
  else if (typeof raw === 'string') ts = Date.parse(raw);
  else return { code: 'bad_timestamp', message: 'ts must be epoch milliseconds or an ISO-8601 string', index };
  if (Number.isNaN(ts)) return { code: 'bad_timestamp', message: `unparseable ts ${JSON.stringify(raw)}`, index };
  return checkTimestamp(ts, now, limits, index) ?? ts;
}

function one(metric: unknown, value: unknown, ts: number | Rejection, index: number | undefined): Reading | Rejection {
  if (typeof metric !== 'string' || !METRIC_PATTERN.test(metric)) {
    return { code: 'bad_metric', message: `metric must match ${METRIC_PATTERN}, got ${JSON.stringify(metric)?.slice(0, 80)}`, index };
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { code: 'bad_value', message: `value of ${metric} must be a finite number`, index };
  }
  if (typeof ts !== 'number') return ts;
  return { metric, value, ts };
}

/**
 * Decodes a JSON readings payload. Each reading is checked on its own: the good ones are
 * returned even when others in the same batch are refused.
 * @example decodeJsonReadings('{"metric":"output","value":3}', 1000).readings // [{ metric: 'output', value: 3, ts: 1000 }]
 */
export function decodeJsonReadings(payload: string | Uint8Array, now: number, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Decoded {
  const size = byteLength(payload, limits.maxPayloadBytes);
  if (size > limits.maxPayloadBytes) {
    return { readings: [], rejections: [{ code: 'payload_too_large', message: `payload of ${size} B exceeds ${limits.maxPayloadBytes} B` }] };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(asText(payload));
  } catch (err) {
    return { readings: [], rejections: [{ code: 'malformed_json', message: (err as Error).message.slice(0, 200) }] };
  }
  const readings: Reading[] = [];
  const rejections: Rejection[] = [];
  const push = (r: Reading | Rejection) => ('code' in r ? rejections.push(r) : readings.push(r));

  if (Array.isArray(doc)) {
    if (doc.length > limits.maxReadingsPerMessage) {
      return { readings, rejections: [{ code: 'too_many_readings', message: `${doc.length} readings exceed ${limits.maxReadingsPerMessage}` }] };
    }
    doc.forEach((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        rejections.push({ code: 'bad_shape', message: 'each batch entry must be an object {metric, value, ts?}', index: i });
        return;
      }
      const o = item as Record<string, unknown>;
      push(one(o.metric, o.value, parseTs(o.ts, now, limits, i), i));
    });
  } else if (typeof doc === 'object' && doc !== null) {
    const o = doc as Record<string, unknown>;
    if (typeof o.values === 'object' && o.values !== null && !Array.isArray(o.values)) {
      const entries = Object.entries(o.values as Record<string, unknown>);
      if (entries.length > limits.maxReadingsPerMessage) {
        return { readings, rejections: [{ code: 'too_many_readings', message: `${entries.length} readings exceed ${limits.maxReadingsPerMessage}` }] };
      }
      const ts = parseTs(o.ts, now, limits, undefined);
      entries.forEach(([metric, value], i) => push(one(metric, value, typeof ts === 'number' ? ts : { ...ts, index: i }, i)));
    } else if ('metric' in o) {
      push(one(o.metric, o.value, parseTs(o.ts, now, limits, undefined), undefined));
    } else {
      rejections.push({ code: 'bad_shape', message: 'expected {metric, value, ts?}, an array of them, or {ts?, values: {metric: value}}' });
    }
  } else {
    rejections.push({ code: 'bad_shape', message: 'expected a JSON object or array' });
  }
  return { readings, rejections };
}
