/**
 * Reading NAB data files: `timestamp,value` CSV text with a header, timestamps like
 * `2014-04-10 07:15:00` (no time zone, read as UTC), rows kept in file order (NAB scores row
 * positions, and a few files repeat or go back in time).
 *
 * @example
 *   parseNabCsv('timestamp,value\n2014-04-10 07:15:00,3.5\n2014-04-10 07:20:00,4\n')
 *   // → { timestamps: ['2014-04-10 07:15:00', '2014-04-10 07:20:00'],
 *   //     times: [1397114100000, 1397114400000], values: [3.5, 4] }
 */

export interface NabSeries {
  /** Timestamp strings exactly as in the file (without any fractional part). */
  timestamps: string[];
  /** Epoch milliseconds (UTC). */
  times: number[];
  values: number[];
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?$/;

/**
 * `YYYY-MM-DD HH:MM:SS[.ffffff]` as UTC epoch milliseconds; NaN if it does not look like that.
 * @example parseNabTimestamp('2014-04-10 07:15:00') === Date.UTC(2014, 3, 10, 7, 15, 0)
 */
export function parseNabTimestamp(s: string): number {
  const m = TS_RE.exec(s.trim());
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** Drops a fractional-seconds part: '2014-04-10 07:15:00.000000' → '2014-04-10 07:15:00'. */
export function canonicalTimestamp(s: string): string {
  return s.trim().replace(/\.\d+$/, '');
}

/**
 * Parses a NAB CSV. Throws an Error naming the line when a row is not `timestamp,value` with a
 * parseable timestamp and a finite value (NAB files are clean; a bad row means a wrong file).
 */
export function parseNabCsv(text: string, name = 'csv'): NabSeries {
  const lines = text.split(/\r?\n/);
  const out: NabSeries = { timestamps: [], times: [], values: [] };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const comma = line.indexOf(',');
    const tsRaw = comma < 0 ? line : line.slice(0, comma);
    const valueRaw = comma < 0 ? '' : line.slice(comma + 1);
    if (i === 0 && /[a-z]/i.test(valueRaw)) continue; // header
    const t = parseNabTimestamp(tsRaw);
    const v = Number(valueRaw);
    if (Number.isNaN(t) || valueRaw.trim() === '' || !Number.isFinite(v)) {
      throw new Error(
        `${name}:${i + 1}: expected "YYYY-MM-DD HH:MM:SS,value", got ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    out.timestamps.push(canonicalTimestamp(tsRaw));
    out.times.push(t);
    out.values.push(v);
  }
  return out;
}
