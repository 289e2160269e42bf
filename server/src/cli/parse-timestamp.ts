/**
 * The timestamp forms `opsroom detect` reads, as epoch milliseconds (UTC).
 *
 *   ISO-8601        2014-04-10T09:15:00+02:00, 2014-04-10T07:15:00Z, 2014-04-10T07:15:00.250Z,
 *                   2014-04-10 07:15:00 (no offset: UTC, never the machine's local time),
 *                   2014-04-10T07:15 (seconds optional), 2014-04-10 (midnight UTC);
 *                   offsets as +HH:MM, +HHMM or +HH; 'T' or one space between date and time
 *   epoch ms        an integer >= 1e11 (1e11 ms is 1973-03-03; 1e11 s would be the year 5138)
 *   epoch seconds   an integer or decimal < 1e11: 1397114100, 1397114100.5
 *
 * Anything else is refused (null): an impossible date (2014-02-30), 24:00, leap seconds, a sign,
 * a decimal of 1e11 or more, surrounding spaces.
 *
 * @example
 *   parseTimestamp('2014-04-10T09:15:00+02:00') // 1397114100000
 *   parseTimestamp('2014-04-10 07:15:00')       // 1397114100000 (read as UTC)
 *   parseTimestamp('1397114100000')             // 1397114100000 (epoch ms)
 *   parseTimestamp('1397114100.5')              // 1397114100500 (epoch seconds)
 *   parseTimestamp('10/04/2014')                // null
 */
export function parseTimestamp(text: string): number | null {
  const epoch = EPOCH.exec(text);
  if (epoch) return fromEpoch(epoch[1]!, epoch[2]);
  const iso = ISO.exec(text);
  return iso ? fromIso(iso) : null;
}

/** Epoch ms and seconds can be told apart by size: below it, seconds. */
export const EPOCH_MS_FROM = 1e11;

const EPOCH = /^(\d+)(?:\.(\d+))?$/;
//            year     month    day           hour     minute      second   fraction          offset
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

function fromEpoch(whole: string, fraction: string | undefined): number | null {
  const n = Number(whole);
  if (n >= EPOCH_MS_FROM) return fraction === undefined ? n : null; // epoch ms are integers
  if (fraction === undefined) return n * 1000;
  // Milliseconds from the first three decimals exactly (1397114100.1 * 1000 is 1397114100100.0002).
  const ms = Number(`${fraction.slice(0, 3).padEnd(3, '0')}.${fraction.slice(3) || '0'}`);
  return n * 1000 + ms;
}

function fromIso(m: RegExpExecArray): number | null {
  const field = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  const [year, month, day, hour, minute, second] = [field(1), field(2), field(3), field(4), field(5), field(6)];
  const [offsetHours, offsetMinutes] = [field(10), field(11)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0–99 to 1900–1999
  date.setUTCHours(hour, minute, second, 0);
  const fractionMs = m[7] === undefined ? 0 : Number(m[7]) * 1000;
  const offsetMs = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return date.getTime() + fractionMs - offsetMs;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}
