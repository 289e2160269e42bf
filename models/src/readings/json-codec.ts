import {
  checkTimestamp,
  DEFAULT_DECODE_LIMITS,
  METRIC_PATTERN,
  type DecodeLimits,
  type DecodeOptions,
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
 *
 * Telegraf's JSON serializer is accepted too, one metric or its batch (`{"metrics": [...]}`):
 *
 * ```json
 * {"fields":{"usage_idle":98.5},"name":"cpu","tags":{"cpu":"cpu0"},"timestamp":1764244800}
 * ```
 *
 * mapped as line protocol is (`value` -> `<name>`, other fields -> `<name>_<field>`); `timestamp`
 * is in the units of `json_timestamp_units` — seconds (Telegraf's default), ms, µs or ns, told
 * apart by magnitude — or a `json_timestamp_format` string Date.parse reads (RFC 3339).
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
    return {
      code: 'bad_metric',
      message: `metric must match ${METRIC_PATTERN}, got ${JSON.stringify(metric)?.slice(0, 80)}`,
      index,
    };
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
 * @example decodeJsonReadings('{"metric":"output","value":3}', 1000).readings // [{ metric: 'output', value: 3, ts:
 * 1000 }]
 */
export function decodeJsonReadings(
  payload: string | Uint8Array,
  now: number,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
  opts: DecodeOptions = {},
): Decoded {
  const size = byteLength(payload, limits.maxPayloadBytes);
  if (size > limits.maxPayloadBytes) {
    return {
      readings: [],
      rejections: [{ code: 'payload_too_large', message: `payload of ${size} B exceeds ${limits.maxPayloadBytes} B` }],
    };
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
      return {
        readings,
        rejections: [
          { code: 'too_many_readings', message: `${doc.length} readings exceed ${limits.maxReadingsPerMessage}` },
        ],
      };
    }
    doc.forEach((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        rejections.push({
          code: 'bad_shape',
          message: 'each batch entry must be an object {metric, value, ts?}',
          index: i,
        });
        return;
      }
      const o = item as Record<string, unknown>;
      if (isTelegrafMetric(o)) telegrafMetric(o, i, now, limits, opts, readings, rejections);
      else push(one(o.metric, o.value, parseTs(o.ts, now, limits, i), i));
    });
  } else if (typeof doc === 'object' && doc !== null) {
    const o = doc as Record<string, unknown>;
    if (isTelegrafMetric(o)) {
      telegrafMetric(o, undefined, now, limits, opts, readings, rejections);
    } else if (Array.isArray(o.metrics)) {
      // Telegraf's JSON batch (outputs.mqtt layout = "batch"): {"metrics": [metric, ...]}
      for (let i = 0; i < o.metrics.length; i++) {
        const m: unknown = o.metrics[i];
        if (typeof m === 'object' && m !== null && isTelegrafMetric(m as Record<string, unknown>)) {
          telegrafMetric(m as Record<string, unknown>, i, now, limits, opts, readings, rejections);
        } else {
          const message = 'each entry of "metrics" must be a Telegraf metric {name, fields, tags?, timestamp?}';
          rejections.push({ code: 'bad_shape', message, index: i });
        }
        if (rejections.at(-1)?.code === 'too_many_readings') break;
      }
    } else if (typeof o.values === 'object' && o.values !== null && !Array.isArray(o.values)) {
      const entries = Object.entries(o.values as Record<string, unknown>);
      if (entries.length > limits.maxReadingsPerMessage) {
        return {
          readings,
          rejections: [
            { code: 'too_many_readings', message: `${entries.length} readings exceed ${limits.maxReadingsPerMessage}` },
          ],
        };
      }
      const ts = parseTs(o.ts, now, limits, undefined);
      entries.forEach(([metric, value], i) =>
        push(one(metric, value, typeof ts === 'number' ? ts : { ...ts, index: i }, i)),
      );
    } else if ('metric' in o) {
      push(one(o.metric, o.value, parseTs(o.ts, now, limits, undefined), undefined));
    } else {
      rejections.push({
        code: 'bad_shape',
        message:
          'expected {metric, value, ts?}, an array of them, {ts?, values: {metric: value}} ' +
          'or Telegraf JSON {name, fields, tags?, timestamp?}',
      });
    }
  } else {
    rejections.push({ code: 'bad_shape', message: 'expected a JSON object or array' });
  }
  return { readings, rejections };
}

/** A Telegraf JSON metric: `name` and `fields` (its serializer always writes both, with `tags` and `timestamp`). */
function isTelegrafMetric(o: Record<string, unknown>): boolean {
  const f = o.fields;
  return typeof o.name === 'string' && typeof f === 'object' && f !== null && !Array.isArray(f) && !('metric' in o);
}

/**
 * Telegraf's `timestamp` in ms: an integer in the units of `json_timestamp_units`, told apart by
 * magnitude (a date of 2001-2286 is 10 digits in s, 13 in ms, 16 in µs, 19 in ns), or a string.
 * @example telegrafTs(1764244800, ...) // 1764244800000; telegrafTs(1764244800000000000, ...) // 1764244800000
 */
function telegrafTs(raw: unknown, now: number, limits: DecodeLimits, index: number | undefined): number | Rejection {
  if (typeof raw !== 'number') return parseTs(raw, now, limits, index);
  const a = Math.abs(raw);
  const ms = a < 1e11 ? raw * 1000 : a < 1e14 ? raw : a < 1e17 ? Math.floor(raw / 1e3) : Math.floor(raw / 1e6);
  return parseTs(ms, now, limits, index);
}

/** Line-protocol escaping of a tag key or value (so the tag set reads back unambiguously). */
const escapeTag = (s: string) => s.replace(/[\\,= ]/g, (c) => '\\' + c);

/** One Telegraf metric's fields as readings (or refusals), pushed in field order. */
function telegrafMetric(
  o: Record<string, unknown>,
  index: number | undefined,
  now: number,
  limits: DecodeLimits,
  opts: DecodeOptions,
  readings: Reading[],
  rejections: Rejection[],
): void {
  const name = o.name as string;
  const fields = Object.entries(o.fields as Record<string, unknown>);
  if (fields.length === 0) {
    const message = `Telegraf metric ${JSON.stringify(name).slice(0, 80)} has no fields`;
    rejections.push({ code: 'bad_shape', message, index });
    return;
  }
  const ts = telegrafTs(o.timestamp, now, limits, index);
  if (typeof ts !== 'number') {
    rejections.push(ts);
    return;
  }
  let tags = '';
  if (opts.tags === true && typeof o.tags === 'object' && o.tags !== null && !Array.isArray(o.tags)) {
    const pairs = Object.entries(o.tags as Record<string, unknown>).map(
      ([k, v]) => `${escapeTag(k)}=${escapeTag(String(v))}`,
    );
    tags = pairs.sort().join(',');
  }
  for (const [field, value] of fields) {
    if (readings.length >= limits.maxReadingsPerMessage) {
      const message = `more than ${limits.maxReadingsPerMessage} readings; the rest of the message was dropped`;
      rejections.push({ code: 'too_many_readings', message, index });
      return;
    }
    const metric = field === 'value' ? name : `${name}_${field}`;
    if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
      const message = `field ${field.slice(0, 64)} of ${name.slice(0, 64)} is not a number`;
      rejections.push({ code: 'bad_value', message, index });
      continue;
    }
    if (typeof value !== 'number') {
      const what = typeof value === 'boolean' ? 'a boolean' : 'a string';
      const r = one(metric, NaN, ts, index);
      const message = `field ${field.slice(0, 64)} is ${what}, not a numeric reading`;
      rejections.push('code' in r && r.code === 'bad_metric' ? r : { code: 'bad_value', message, index });
      continue;
    }
    const r = one(metric, value, ts, index);
    if ('code' in r) rejections.push(r);
    else readings.push(tags !== '' ? { ...r, tags } : r);
  }
}
