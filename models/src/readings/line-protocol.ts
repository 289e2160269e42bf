import {
  checkTimestamp,
  DEFAULT_DECODE_LIMITS,
  METRIC_PATTERN,
  type DecodeLimits,
  type DecodeOptions,
  type Decoded,
  type Reading,
} from './reading.js';
import { asText, byteLength } from './bytes.js';

/**
 * InfluxDB line protocol, so Telegraf and other existing agents can feed opsroom:
 *
 * ```
 * output value=12.5 1764244800000000000
 * energy,line=a kwh=3.1,peak=4.0 1764244800000000000
 * ```
 *
 * Mapping: a field named `value` becomes metric `<measurement>`; any other field becomes
 * `<measurement>_<field>` (the naming VictoriaMetrics uses too). The device is known from the
 * topic and its node from the model, never from a tag. With `{ tags: true }` each reading carries
 * its line's tag set as written (`Reading.tags`), which ingest maps to the metric name or to the
 * series' identity by the device's rule (server/src/ingest/series-tags.ts); without it tags are
 * not reported. Timestamps are nanoseconds (the
 * protocol's default precision); a line without one takes the receive time. Integer (`12i`),
 * unsigned (`12u`) and float fields are accepted; string and boolean fields are refused.
 */
export function decodeLineProtocol(
  payload: string | Uint8Array,
  now: number,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
  opts: DecodeOptions = {},
): Decoded {
  const withTags = opts.tags === true;
  const size = byteLength(payload, limits.maxPayloadBytes);
  if (size > limits.maxPayloadBytes) {
    return {
      readings: [],
      rejections: [{ code: 'payload_too_large', message: `payload of ${size} B exceeds ${limits.maxPayloadBytes} B` }],
    };
  }
  const text = asText(payload);
  const out: Decoded = { readings: [], rejections: [] };
  const lines = text.split('\n');
  let index = -1;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    index++;
    if (out.readings.length >= limits.maxReadingsPerMessage) {
      out.rejections.push({
        code: 'too_many_readings',
        message: `more than ${limits.maxReadingsPerMessage} readings; the rest of the message was dropped`,
        index,
      });
      break;
    }
    if (out.rejections.length >= MAX_REJECTIONS) {
      out.rejections.push({
        code: 'too_many_readings',
        message: `more than ${MAX_REJECTIONS} refused readings; the rest of the message was dropped`,
        index,
      });
      break;
    }
    const parsed = parseLine(line);
    if (typeof parsed === 'string') {
      out.rejections.push({ code: 'malformed_line_protocol', message: parsed, index });
      continue;
    }
    let ts = now;
    if (parsed.ts !== undefined) {
      // Nanoseconds to milliseconds without losing precision beyond 2^53: drop the last 6 digits.
      const digits = parsed.ts.replace(/^-/, '');
      const ms = digits.length > 6 ? Number(digits.slice(0, -6)) : 0;
      ts = parsed.ts.startsWith('-') ? -ms : ms;
      const bad = checkTimestamp(ts, now, limits, index);
      if (bad) {
        out.rejections.push(bad);
        continue;
      }
    }
    for (const [field, value] of parsed.fields) {
      const metric = field === 'value' ? parsed.measurement : `${parsed.measurement}_${field}`;
      if (!METRIC_PATTERN.test(metric)) {
        out.rejections.push({
          code: 'bad_metric',
          message: `metric ${JSON.stringify(metric).slice(0, 80)} must match ${METRIC_PATTERN}`,
          index,
        });
      } else if (typeof value === 'string') {
        out.rejections.push({ code: 'bad_value', message: `field ${field}: ${value}`, index });
      } else if (out.readings.length >= limits.maxReadingsPerMessage) {
        out.rejections.push({
          code: 'too_many_readings',
          message: `more than ${limits.maxReadingsPerMessage} readings; the rest of the message was dropped`,
          index,
        });
        return out;
      } else {
        const reading: Reading = { metric, value, ts };
        out.readings.push(withTags && parsed.tags !== '' ? { ...reading, tags: parsed.tags } : reading);
      }
    }
  }
  return out;
}

/** Refusals listed per message at most; past that the message is cut short (junk cannot cost unbounded work). */
const MAX_REJECTIONS = 1000;

interface ParsedLine {
  measurement: string;
  fields: Array<[string, number | string]>;
  ts?: string;
  /** The tag set as written (escapes kept), '' when the line has none. */
  tags: string;
}

/** Splits on an unescaped separator outside double quotes. */
function splitUnescaped(s: string, sep: string, limit = Infinity): string[] {
  // Fast path: nothing escaped or quoted, so a plain split is exact.
  if (s.indexOf('\\') < 0 && s.indexOf('"') < 0) {
    if (limit === Infinity) return s.split(sep);
    const parts = s.split(sep);
    return parts.length <= limit ? parts : [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(sep)];
  }
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (c === sep && !quoted && parts.length < limit - 1) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

const unescape = (s: string) => (s.indexOf('\\') < 0 ? s : s.replace(/\\(.)/g, '$1'));

function parseLine(line: string): ParsedLine | string {
  const sections = splitUnescaped(line, ' ').filter((s) => s !== '');
  if (sections.length < 2 || sections.length > 3)
    return `expected "measurement[,tags] fields [timestamp]", got ${JSON.stringify(line.slice(0, 80))}`;
  const [head, fieldSet, ts] = sections as [string, string, string | undefined];
  const [rawMeasurement, tags] = splitUnescaped(head, ',', 2) as [string, string?];
  const measurement = unescape(rawMeasurement);
  if (measurement === '') return 'empty measurement';
  if (tags !== undefined) {
    for (const tag of splitUnescaped(tags, ',')) {
      const kv = splitUnescaped(tag, '=', 2);
      if (kv.length !== 2 || kv[0] === '' || kv[1] === '') {
        return `malformed tag ${JSON.stringify(tag.slice(0, 80))}: expected key=value`;
      }
    }
  }
  const fields: Array<[string, number | string]> = [];
  for (const kv of splitUnescaped(fieldSet, ',')) {
    const eq = splitUnescaped(kv, '=', 2);
    if (eq.length !== 2 || eq[0] === '') return `malformed field ${JSON.stringify(kv.slice(0, 80))}`;
    const key = unescape(eq[0]!);
    const v = eq[1]!;
    if (/^-?\d+i$/.test(v) || /^\d+u$/.test(v)) fields.push([key, Number(v.slice(0, -1))]);
    else if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) {
      const n = Number(v);
      fields.push([key, Number.isFinite(n) ? n : `${v} is not finite`]);
    } else if (v.startsWith('"') || /^(t|T|true|True|TRUE|f|F|false|False|FALSE)$/.test(v))
      fields.push([key, 'string and boolean fields are not numeric readings']);
    else return `malformed field value ${JSON.stringify(v.slice(0, 80))}`;
  }
  if (ts !== undefined && !/^-?\d{1,19}$/.test(ts)) return `malformed timestamp ${JSON.stringify(ts.slice(0, 40))}`;
  return { measurement, fields, ts, tags: tags ?? '' };
}
