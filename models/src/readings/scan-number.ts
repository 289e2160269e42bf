/**
 * Decimal numbers read straight from payload bytes, bit-for-bit equal to what `JSON.parse` and
 * `Number()` give for the same text, without making a string in the common case.
 *
 * Digits are gathered into an integer mantissa m and a power of ten e. While m < 2^53 and
 * |e| <= 22 both m and 10^|e| are exact doubles, so the one IEEE multiplication or division
 * `m * 10^e` / `m / 10^-e` is correctly rounded: the same double `Number()` returns (Clinger's
 * fast path). Anything else (17+ significant digits, large exponents) is handed to `Number()`
 * over the number's text, which is rare.
 *
 * @example
 * // bytes of "12.5e-1": m = 125, e = -1 - 1 = -2 -> 125 / 100 = 1.25
 * scanJsonNumber(bytes, 0, bytes.length); // true; scanned.value === 1.25, scanned.end === 7
 */

/**
 * What the last successful scan read: the number and the index just past its text. Module state, so scanning allocates
 * nothing.
 */
export const scanned = { end: 0, value: 0 };

const TWO_53 = 9007199254740992;
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/** The ASCII bytes b[start, end) as a string (one allocation; for names and rare numbers). */
export function latin1(b: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

function slow(b: Uint8Array, start: number, end: number): number {
  return Number(latin1(b, start, end));
}

/**
 * m (digits so far, exact below 2^53) scaled by 10^e10 and signed; `Number()` over the text when m
 * was not exact (-1) or the power is beyond the exact range.
 */
function value(neg: boolean, m: number, e10: number, b: Uint8Array, start: number, end: number): number {
  if (m < 0) return slow(b, start, end);
  if (m === 0) return neg ? -0 : 0;
  let v: number;
  if (e10 === 0) v = m;
  else if (e10 > 0 && e10 <= 22) v = m * POW10[e10]!;
  else if (e10 < 0 && e10 >= -22) v = m / POW10[-e10]!;
  else return slow(b, start, end);
  return neg ? -v : v;
}

// Digits are added to the mantissa m with `m = 0 <= m < LIMIT ? m * 10 + d : grow(m, d)`: for m below
// 9e14, m * 10 + 9 < 9e15 < 2^53, so exact. -1 marks a mantissa that lost exactness (its value then
// comes from Number() over the text). Leading zeros leave m at 0 and so cost nothing.
const LIMIT = 9e14;

/**
 * One more digit on a large mantissa: exact while the true result stays below 2^53 (then m * 10
 * and the sum are exact); a computed result is >= 2^53 whenever the true one is, since rounding is
 * monotonic and 2^53 is a double. -1 once it is not exact.
 */
function grow(m: number, d: number): number {
  if (m < 0) return -1;
  const t = m * 10 + d;
  return t < TWO_53 ? t : -1;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** The exponent scanExponent read last (its magnitude capped near 10^6: beyond, the value is 0 or ±Infinity anyway). */
let exponentRead = 0;

/**
 * Reads the exponent `[-+]?\d+` that follows an `e`/`E`, starting at b[p] (the byte after the
 * letter), for both number grammars. Returns the index past its digits, or -1 when there are none.
 * @example scanExponent(bytes('e-12'), 1, 4) // 4, exponentRead === -12
 */
function scanExponent(b: Uint8Array, p: number, n: number): number {
  let c = p < n ? b[p]! : -1;
  let neg = false;
  if (c === 43 || c === 45) {
    neg = c === 45;
    c = ++p < n ? b[p]! : -1;
  }
  if (!isDigit(c)) return -1;
  let ex = 0;
  do {
    if (ex < 1e6) ex = ex * 10 + (c - 48);
    c = ++p < n ? b[p]! : -1;
  } while (c >= 48 && c <= 57);
  exponentRead = neg ? -ex : ex;
  return p;
}

/**
 * Reads a number in strict JSON grammar (`-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`) at b[p].
 * Returns false when the bytes there are not one (the caller falls back); the byte after the
 * number is not looked at. The value may be ±Infinity for huge exponents, as in JSON.parse.
 */
export function scanJsonNumber(b: Uint8Array, p: number, n: number): boolean {
  const start = p;
  let m = 0;
  let e10 = 0;
  let neg = false;
  let c = p < n ? b[p]! : -1;
  if (c === 45) {
    neg = true;
    c = ++p < n ? b[p]! : -1;
  }
  if (c === 48) {
    c = ++p < n ? b[p]! : -1;
    if (c >= 48 && c <= 57) return false; // leading zeros are not JSON
  } else if (c >= 49 && c <= 57) {
    do {
      m = m >= 0 && m < LIMIT ? m * 10 + (c - 48) : grow(m, c - 48);
      c = ++p < n ? b[p]! : -1;
    } while (c >= 48 && c <= 57);
  } else return false;
  if (c === 46) {
    c = ++p < n ? b[p]! : -1;
    if (!isDigit(c)) return false;
    do {
      m = m >= 0 && m < LIMIT ? m * 10 + (c - 48) : grow(m, c - 48);
      e10--;
      c = ++p < n ? b[p]! : -1;
    } while (c >= 48 && c <= 57);
  }
  if (c === 101 || c === 69) {
    p = scanExponent(b, p + 1, n);
    if (p < 0) return false;
    e10 += exponentRead;
  }
  scanned.end = p;
  scanned.value = value(neg, m, e10, b, start, p);
  return true;
}

/**
 * Reads a line-protocol field value at b[p], exactly the forms `decodeLineProtocol` accepts as numbers:
 * floats `[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?`, integers `-?\d+i` and unsigned `\d+u`.
 * Returns false for anything else (strings, booleans, malformed values: the caller falls back).
 * The byte after the value is not looked at.
 */
export function scanLineNumber(b: Uint8Array, p: number, n: number): boolean {
  const start = p;
  let m = 0;
  let e10 = 0;
  let neg = false;
  let plus = false;
  let c = p < n ? b[p]! : -1;
  if (c === 45 || c === 43) {
    neg = c === 45;
    plus = c === 43;
    c = ++p < n ? b[p]! : -1;
  }
  const intStart = p;
  while (c >= 48 && c <= 57) {
    m = m >= 0 && m < LIMIT ? m * 10 + (c - 48) : grow(m, c - 48);
    c = ++p < n ? b[p]! : -1;
  }
  const intDigits = p - intStart;
  let digits = intDigits;
  let dot = false;
  if (c === 46) {
    dot = true;
    c = ++p < n ? b[p]! : -1;
    while (c >= 48 && c <= 57) {
      m = m >= 0 && m < LIMIT ? m * 10 + (c - 48) : grow(m, c - 48);
      e10--;
      digits++;
      c = ++p < n ? b[p]! : -1;
    }
  }
  if (digits === 0) return false;
  let exp = false;
  if (c === 101 || c === 69) {
    exp = true;
    p = scanExponent(b, p + 1, n);
    if (p < 0) return false;
    e10 += exponentRead;
    c = p < n ? b[p]! : -1;
  }
  const end = p;
  if (c === 105 /* i */ || c === 117 /* u */) {
    if (dot || exp || plus || intDigits === 0 || (c === 117 && neg)) return false;
    p++;
  }
  scanned.end = p;
  scanned.value = value(neg, m, e10, b, start, end);
  return true;
}
