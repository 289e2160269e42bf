import { toColumns, type ReadingColumns } from './columns.js';
import { decodeReadings, payloadFormat } from './decode.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits, type DecodeOptions, type Rejection } from './reading.js';
import { ColumnBuilder } from './scan-builder.js';
import { scanJsonReadings } from './scan-json.js';
import { scanLineProtocol } from './scan-line.js';

/** What `decodeReadingColumns` returns: the good readings in columns and every refusal. */
export interface DecodedColumns {
  columns: ReadingColumns;
  rejections: Rejection[];
}

/** How many messages took each path since the process started (for tests, benchmarks and /metrics). */
export interface DecodeColumnsCounts {
  /** Decoded by the byte scanners: no object or string per reading. */
  fast: number;
  /** Handed to `decodeReadings` (anything unusual or refused), then converted with `toColumns`. */
  fallback: number;
}

const counts: DecodeColumnsCounts = { fast: 0, fallback: 0 };

/** A snapshot of the path counters. */
export function decodeColumnsCounts(): DecodeColumnsCounts {
  return { fast: counts.fast, fallback: counts.fallback };
}

const builder = new ColumnBuilder();
const encoder = new TextEncoder();
let scratch = new Uint8Array(4096);

/**
 * Decodes a readings payload (JSON or line protocol, see `payloadFormat`) straight into columns.
 * Exactly equivalent to `decodeReadings`: `fromColumns(columns)` deep-equals its `readings` and
 * `rejections` deep-equals its rejections, for every input.
 *
 * The common shapes (a JSON batch, single reading or values map with numeric or absent ts; plain
 * numeric line protocol) are read by byte scanners that make no object per reading and one string
 * per distinct metric name. Anything else — a refusal of any kind, escapes, ISO timestamps, extra
 * keys, a byte-order mark, ... — is decoded by `decodeReadings` and converted with `toColumns`,
 * so refusals are the reference decoder's own. With `{ tags: true }` the columns carry tag sets
 * (`tagSets`, `tagSet`) as `decodeReadings(..., { tags: true })` reports them.
 *
 * @example
 * const text = '[{"metric":"output","value":3,"ts":1000},{"metric":"energy","value":1.5,"ts":1000},' +
 *   '{"metric":"output","value":4,"ts":2000}]';
 * decodeReadingColumns(text, 2000, limits).columns
 * // { length: 3, metricNames: ['output', 'energy'], metric: [0, 1, 0], ts: [1000, 1000, 2000], values: [3, 1.5, 4] }
 * // (limits allowing ts 1000 at now 2000)
 */
export function decodeReadingColumns(
  payload: Uint8Array | string,
  now: number,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
  opts: DecodeOptions = {},
): DecodedColumns {
  let bytes: Uint8Array | null = null;
  let n = 0;
  if (typeof payload !== 'string') {
    bytes = payload;
    n = payload.length;
  } else if (!(payload.length > limits.maxPayloadBytes)) {
    // UTF-8 is never shorter than the UTF-16 length, so a longer string is refused for its size anyway.
    if (scratch.length < payload.length * 3) scratch = new Uint8Array(payload.length * 3);
    n = encoder.encodeInto(payload, scratch).written;
    bytes = scratch;
  }
  if (bytes !== null && !(n > limits.maxPayloadBytes)) {
    builder.reset(opts.tags === true);
    const ok =
      payloadFormat(payload) === 'json'
        ? scanJsonReadings(bytes, n, now, limits, builder)
        : scanLineProtocol(bytes, n, now, limits, builder);
    if (ok) {
      counts.fast++;
      return { columns: builder.finish(), rejections: [] };
    }
  }
  counts.fallback++;
  const decoded = decodeReadings(payload, now, limits, opts);
  return { columns: toColumns(decoded.readings), rejections: decoded.rejections };
}
