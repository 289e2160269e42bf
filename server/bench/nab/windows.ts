/**
 * NAB label windows as row ranges. `combined_windows.json` gives each window as its first and last
 * timestamp (both included); NAB scores row positions, so each is mapped to the row whose
 * timestamp string matches (first match for the start, last match for the end).
 *
 * @example
 *   windowRows(['2014-01-01 00:00:00', '2014-01-01 00:05:00', '2014-01-01 00:10:00'],
 *              [['2014-01-01 00:05:00.000000', '2014-01-01 00:10:00.000000']])
 *   // → [{ start: 1, end: 2 }]
 */
import { canonicalTimestamp } from './csv.js';

/** A window of rows `start … end`, both included. */
export interface RowWindow {
  start: number;
  end: number;
}

/** The JSON labels file: data path relative to `data/` → list of [start, end] timestamp pairs. */
export type NabLabels = Record<string, Array<[string, string]>>;

/**
 * Maps a file's label windows to row windows, sorted by start. Throws when a window's timestamp
 * does not occur in the file or its end comes before its start.
 */
export function windowRows(
  timestamps: readonly string[],
  windows: ReadonlyArray<readonly [string, string]>,
  name = 'file',
): RowWindow[] {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  timestamps.forEach((ts, i) => {
    if (!first.has(ts)) first.set(ts, i);
    last.set(ts, i);
  });
  const rows = windows.map(([a, b]) => {
    const start = first.get(canonicalTimestamp(a));
    const end = last.get(canonicalTimestamp(b));
    if (start === undefined || end === undefined) {
      throw new Error(
        `${name}: label window [${a}, ${b}] names a timestamp that is not in the file; check that labels and data belong together`,
      );
    }
    if (end < start) throw new Error(`${name}: label window [${a}, ${b}] ends before it starts`);
    return { start, end };
  });
  return rows.sort((x, y) => x.start - y.start);
}

/**
 * NAB's probationary period: the first `min(floor(0.15 n), 750)` rows are never scored.
 * @example probationaryRows(4032) === 604; probationaryRows(22695) === 750
 */
export function probationaryRows(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}
