import { decodeJsonReadings } from './json-codec.js';
import { decodeLineProtocol } from './line-protocol.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits, type DecodeOptions, type Decoded } from './reading.js';

/** Which codec a payload is written in: JSON when its first non-blank byte is `{` or `[`, else line protocol. */
export function payloadFormat(payload: Uint8Array | string): 'json' | 'line' {
  let i = 0;
  // Skip a byte-order mark: U+FEFF in a string, EF BB BF in bytes.
  if (
    typeof payload === 'string'
      ? payload.charCodeAt(0) === 0xfeff
      : payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf
  )
    i = typeof payload === 'string' ? 1 : 3;
  for (; i < payload.length; i++) {
    const c = typeof payload === 'string' ? payload.charCodeAt(i) : payload[i]!;
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b || c === 0x5b ? 'json' : 'line';
  }
  return 'line';
}

/** Decodes a readings payload in either format (see `payloadFormat`); `opts.tags` keeps tag sets. */
export function decodeReadings(
  payload: Uint8Array | string,
  now: number,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
  opts: DecodeOptions = {},
): Decoded {
  return payloadFormat(payload) === 'json'
    ? decodeJsonReadings(payload, now, limits, opts)
    : decodeLineProtocol(payload, now, limits, opts);
}
