/**
 * History as CSV: the one format of `GET /api/history?format=csv` and of the ops room's chart
 * export, so a file saved from either reads the same (RFC 4180: comma-separated, CRLF line ends,
 * a header row, fields quoted when they hold a comma, a quote or a line break).
 */

/** The columns, in order. */
export const HISTORY_CSV_COLUMNS = [
  'time',
  'ts',
  'node',
  'indicator',
  'unit',
  'aggregate',
  'step_ms',
  'value',
] as const;

/** One charted or answered series: its points and what they are. */
export interface HistoryCsvSeries {
  node: string;
  indicator: string;
  /** The indicator's unit; empty when it has none. */
  unit?: string;
  /** mean, min, max, last, count; null for raw points (written `raw`). */
  aggregate: string | null;
  /** Window width, ms; null for raw points (written empty). */
  stepMs: number | null;
  points: ReadonlyArray<{ ts: number; value: number }>;
}

/**
 * A field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break, quotes doubled.
 * @example csvField('a,b') // '"a,b"'
 */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The CSV of some series, series after series, each in time order as given: a header row, then one
 * row per point with its time in ISO 8601 UTC and in ms since the epoch.
 * @example historyCsv([{ node: 'valle', indicator: 'output', unit: 't', aggregate: null, stepMs: null,
 *   points: [{ ts: 0, value: 1.5 }] }])
 * // 'time,ts,node,indicator,unit,aggregate,step_ms,value\r\n1970-01-01T00:00:00.000Z,0,valle,output,t,raw,,1.5\r\n'
 */
export function historyCsv(series: ReadonlyArray<HistoryCsvSeries>): string {
  const rows: string[] = [HISTORY_CSV_COLUMNS.join(',')];
  for (const s of series) {
    const fixed = [s.node, s.indicator, s.unit ?? '', s.aggregate ?? 'raw'].map(csvField).join(',');
    const step = s.stepMs === null ? '' : String(s.stepMs);
    for (const p of s.points) rows.push(`${new Date(p.ts).toISOString()},${p.ts},${fixed},${step},${p.value}`);
  }
  return rows.join('\r\n') + '\r\n';
}
