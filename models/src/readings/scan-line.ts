import type { DecodeLimits } from './reading.js';
import { FNV_START, fnv, type ColumnBuilder } from './scan-builder.js';
import { scanLineNumber, scanned } from './scan-number.js';

/**
 * A byte-level scanner for plain line protocol, building no object or string per reading:
 *
 * ```
 * measurement[,tags] field=number[,field2=number...] [ns-timestamp]
 * ```
 *
 * with blank lines, `#` comments, CRLF and extra spaces, mapped exactly as `decodeLineProtocol`
 * maps them (`value` -> `<measurement>`, other fields -> `<measurement>_<field>`, tags reported
 * only in the builder's tags mode, ns -> ms by dropping the last six digits). It accepts only
 * lines it is certain that decoder would decode without refusing anything, and returns false for
 * everything else — quotes or backslashes, tags not of the form key=value, string or boolean
 * fields, names not matching the metric pattern, malformed numbers or timestamps, timestamps
 * outside the window, too many readings, tabs or control bytes inside a line, non-ASCII bytes
 * outside tag values and comments — so the caller can decode
 * the whole message with the reference decoder instead.
 *
 * @example
 * scanLineProtocol(bytes('energy,line=a kwh=3.1,peak=4 1764244800000000000'), 48, NOW, DEFAULT_DECODE_LIMITS, out)
 * // true; out: energy_kwh=3.1 and energy_peak=4, both at 1764244800000
 */
export function scanLineProtocol(
  b: Uint8Array,
  n: number,
  now: number,
  limits: DecodeLimits,
  out: ColumnBuilder,
): boolean {
  const max = limits.maxReadingsPerMessage;
  let p = 0;
  prevMs = prevMe = 0;
  while (p < n) {
    // Leading blanks (the ASCII whitespace String.prototype.trim removes; \n ends the line).
    let c = b[p]!;
    while (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
      if (++p === n) return true;
      c = b[p]!;
    }
    if (c === 10) {
      p++;
      continue;
    }
    if (c === 35 /* # */) {
      const nl = b.indexOf(10, p);
      if (nl < 0 || nl >= n) return true; // b may be a reused buffer longer than the message
      p = nl + 1;
      continue;
    }
    // Measurement: a letter, then letters, digits, `_`.
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
    const ms = p;
    let hm = FNV_START;
    // Most lines repeat the previous line's measurement: compare bytes with it before hashing.
    const len = prevMe - prevMs;
    if (len > 0 && p + len < n && isMeasurementEnd(b[p + len]!) && sameRange(b, prevMs, p, len)) {
      hm = prevHash;
      p += len;
      c = b[p]!;
    } else {
      do {
        hm = fnv(hm, c);
        c = ++p < n ? b[p]! : -1;
      } while ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95);
      prevHash = hm;
    }
    const me = p;
    prevMs = ms;
    prevMe = me;
    let tagStart = p;
    if (c === 44 /* , */) {
      // Tags: must not hold anything that changes how the line splits.
      // Each tag is key=value, both non-empty (else the reference decoder refuses the line).
      tagStart = p + 1;
      let keyLen = 0;
      let valueLen = -1; // -1: no `=` yet in this tag
      for (;;) {
        c = ++p < n ? b[p]! : -1;
        if (!(c > 32 && c !== 34 && c !== 92)) break;
        if (c === 44 /* , */) {
          if (valueLen <= 0) return false;
          keyLen = 0;
          valueLen = -1;
        } else if (valueLen >= 0) valueLen++;
        else if (c === 61 /* = */) {
          if (keyLen === 0) return false;
          valueLen = 0;
        } else keyLen++;
      }
      if (valueLen <= 0) return false;
      // c is now a space, a quote, a backslash, a control byte or the end; bytes >= 0x80 passed as tag text.
    }
    if (out.withTags && (out.curTag = out.tagOf(b, tagStart, c === 32 ? p : tagStart)) < 0) return false;
    if (c !== 32) return false;
    do c = ++p < n ? b[p]! : -1;
    while (c === 32);
    // Fields.
    const first = out.length;
    for (;;) {
      let id: number;
      if (
        c === 118 &&
        p + 5 < n &&
        b[p + 1] === 97 &&
        b[p + 2] === 108 &&
        b[p + 3] === 117 &&
        b[p + 4] === 101 &&
        b[p + 5] === 61
      ) {
        // value=: the metric is the measurement itself
        if (me - ms > 64) return false;
        id =
          out.lastId >= 0 && out.lastName.length === me - ms && sameBytes(out.lastName, b, ms)
            ? out.lastId
            : out.intern(b, ms, me, -1, -1, hm);
        p += 5;
      } else {
        const ks = p;
        let hk = fnv(hm, 95);
        while ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) {
          hk = fnv(hk, c);
          c = ++p < n ? b[p]! : -1;
        }
        const ke = p;
        if (ke === ks || c !== 61 /* = */) return false;
        if (me - ms + 1 + ke - ks > 64) return false;
        id = out.intern(b, ms, me, ks, ke, hk);
      }
      if (!scanLineNumber(b, p + 1, n) || !Number.isFinite(scanned.value)) return false;
      p = scanned.end;
      if (id < 0 || out.length >= max) return false;
      out.push(id, now, scanned.value);
      c = p < n ? b[p]! : -1;
      if (c !== 44) break;
      c = ++p < n ? b[p]! : -1;
    }
    // Optional timestamp after one or more spaces.
    let spaced = false;
    while (c === 32) {
      spaced = true;
      c = ++p < n ? b[p]! : -1;
    }
    if (spaced && (c === 45 || (c >= 48 && c <= 57))) {
      const neg = c === 45;
      if (neg) c = ++p < n ? b[p]! : -1;
      const ds = p;
      let first13 = 0; // the first 13 digits: the ms of a full 19-digit ns timestamp, exact
      while (c >= 48 && c <= 57) {
        if (p - ds < 13) first13 = first13 * 10 + (c - 48);
        c = ++p < n ? b[p]! : -1;
      }
      const digits = p - ds;
      if (digits === 0 || digits > 19) return false;
      let msTs = first13;
      if (digits < 19) {
        msTs = 0; // ms are the digits but the last six (none for six or fewer)
        for (let i = ds; i < p - 6; i++) msTs = msTs * 10 + (b[i]! - 48);
      }
      const ts = neg ? -msTs : msTs;
      if (ts < now - limits.maxPastMs || ts > now + limits.maxFutureMs) return false;
      out.setTs(first, ts);
    }
    // The rest of the line must be blank.
    while (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) c = ++p < n ? b[p]! : -1;
    if (c === 10) p++;
    else if (c !== -1) return false;
  }
  return true;
}

// The previous line's measurement (byte range and hash) within the current message.
let prevMs = 0;
let prevMe = 0;
let prevHash = 0;

const isMeasurementEnd = (c: number) => c === 32 || c === 44;

function sameRange(b: Uint8Array, a: number, c: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (b[a + i] !== b[c + i]) return false;
  return true;
}

function sameBytes(name: string, b: Uint8Array, s: number): boolean {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) !== b[s + i]) return false;
  return true;
}
