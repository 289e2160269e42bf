// MetricsQL/PromQL text and response parsing for the VictoriaMetrics backend (pure functions;
// victoria-store.ts sends them). VictoriaMetrics names a line-protocol series
// `<measurement>_<field>{tags}`: our lines (influx-line.ts) become `<metric>_value{node, device}`.
import type { Aggregate, SeriesPoint } from './store.js';

/** The field every point is written under (influx-line.ts), hence the suffix of every metric name. */
export const FIELD_SUFFIX = '_value';

/**
 * Most windows one query_range asks for: VictoriaMetrics refuses more than -search.maxPointsPerTimeseries (30,000 by
 * default).
 */
export const MAX_WINDOWS_PER_QUERY = 10_000;

/** Latest instant handled (2255-03-14), as in influx-flux.ts. */
const MAX_MS = 9_000_000_000_000;

/**
 * A PromQL string literal: a double-quoted Go string, which a JSON string is (quotes, backslashes
 * and control characters escaped), so no name can end the literal early.
 *
 * Example: promString('a "b"\\c') === '"a \\"b\\"\\\\c"'
 */
export function promString(s: string): string {
  return JSON.stringify(s);
}

/** The text of an RE2 regular expression matching exactly `s` (VictoriaMetrics anchors label regexes). */
export function regexLiteral(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The stored metric name of an opsroom metric: `output` -> `output_value`. */
export function storedName(metric: string): string {
  return metric + FIELD_SUFFIX;
}

/** The opsroom metric of a stored name, or null when it is not one of ours: `output_value` -> `output`. */
export function metricOfName(name: string): string | null {
  return name.endsWith(FIELD_SUFFIX) && name.length > FIELD_SUFFIX.length ? name.slice(0, -FIELD_SUFFIX.length) : null;
}

/**
 * The selector of one series of the store (every device of one node's metric).
 *
 * Example: seriesSelector('valle/norte', 'output') === '{__name__="output_value",node="valle/norte"}'
 */
export function seriesSelector(node: string, metric: string): string {
  return `{__name__=${promString(storedName(metric))},node=${promString(node)}}`;
}

function nodeMatcher(nodes?: readonly string[]): string {
  return nodes === undefined ? 'node!=""' : `node=~${promString(nodes.map(regexLiteral).join('|'))}`;
}

/** The selector of every device series of one stored name, optionally on these nodes only. */
export function nameSelector(name: string, nodes?: readonly string[]): string {
  return `{__name__=${promString(name)},${nodeMatcher(nodes)},device!=""}`;
}

/**
 * The selector of every device series the store wrote (every name ending in `_value`), optionally
 * on these nodes only.
 *
 * Example: allSelector(['a.b']) === '{__name__=~".+_value",node=~"a\\.b",device!=""}'
 */
export function allSelector(nodes?: readonly string[]): string {
  return `{__name__=~${promString('.+' + regexLiteral(FIELD_SUFFIX))},${nodeMatcher(nodes)},device!=""}`;
}

/**
 * The query of one aggregate over windows of `lookbehindMs`, over every device of the series: the
 * value at evaluation time t covers the samples in (t - lookbehind, t].
 * `last` is not here: it needs each device's last value and its time (lastExpressions).
 *
 * Example: windowExpression('{__name__="output_value",node="a"}', 'max', 60000)
 *   === 'max(max_over_time({__name__="output_value",node="a"}[60000ms]))'
 */
export function windowExpression(
  selector: string,
  aggregate: Exclude<Aggregate, 'last'>,
  lookbehindMs: number,
): string {
  const r = `${selector}[${lookbehindMs}ms]`;
  switch (aggregate) {
    case 'count':
      return `sum(count_over_time(${r}))`;
    case 'min':
      return `min(min_over_time(${r}))`;
    case 'max':
      return `max(max_over_time(${r}))`;
    case 'mean':
      return `sum(sum_over_time(${r})) / sum(count_over_time(${r}))`;
  }
}

/** Each device's last value and that value's time (seconds) in windows of `lookbehindMs`. */
export function lastExpressions(selector: string, lookbehindMs: number): { value: string; time: string } {
  const r = `${selector}[${lookbehindMs}ms]`;
  return { value: `last_over_time(${r})`, time: `tlast_over_time(${r})` };
}

/**
 * One query of every stored name at once, each result labelled `opsroom_name` with its name:
 * `label_set(f({__name__="a_value",…}[L]), "opsroom_name", "a_value") or …`. (Rollup functions
 * drop the metric name in recent VictoriaMetrics, so the label carries it.)
 */
export function perNameExpression(
  fn: 'last_over_time' | 'tlast_over_time',
  names: readonly string[],
  lookbehindMs: number,
  nodes?: readonly string[],
): string {
  return names
    .map(
      (name) =>
        `label_set(${fn}(${nameSelector(name, nodes)}[${lookbehindMs}ms]), "opsroom_name", ${promString(name)})`,
    )
    .join(' or ');
}

/**
 * A time as VictoriaMetrics' query arguments take it: seconds with ms decimals. Example: 1700000000123 ->
 * '1700000000.123'.
 */
export function promTime(ms: number): string {
  const sec = Math.floor(ms / 1000);
  return `${sec}.${String(ms - sec * 1000).padStart(3, '0')}`;
}

/** ms of a time VictoriaMetrics returned in seconds (a number or a string of one). */
export function msOfPromTime(t: unknown): number {
  const ms = Math.round(Number(t) * 1000);
  if (!Number.isFinite(ms))
    throw new Error(`VictoriaMetrics returned a time that is not a number of seconds: ${String(t)}`);
  return ms;
}

/** The integer ms range a query covers, clamped to [0, 2255]; null when it holds no ms. */
export function clampRange(from: number, to: number): { from: number; to: number } | null {
  const f = Math.max(0, Math.ceil(from));
  const t = Math.min(MAX_MS, Math.floor(to));
  return f <= t ? { from: f, to: t } : null;
}

/** Windows of a range: whole ones by query_range, clipped ones (at either end of the range) one by one. */
export interface WindowPlan {
  /** Runs of whole windows: bucket starts first..last (inclusive), evaluated at bucket + w - 1 with lookbehind w. */
  runs: { first: number; last: number }[];
  /** Windows cut by the range: evaluated at `at` with lookbehind `lookbehindMs`, stamped `bucket`. */
  clipped: { bucket: number; at: number; lookbehindMs: number }[];
}

/**
 * Plans the windows [b, b + w) (b a multiple of w since the epoch) that meet [from, to], both
 * integer ms. A PromQL rollup at t with lookbehind L covers (t - L, t], so the whole window b is
 * evaluated at t = b + w - 1 with L = w: (b - 1, b + w - 1] = [b, b + w) in integer ms. A window
 * the range cuts is evaluated at min(b + w - 1, to) with L reaching back to max(b, from) only, so
 * no point outside [from, to] is aggregated. Runs hold at most MAX_WINDOWS_PER_QUERY windows.
 *
 * Example: planWindows(4_000, 19_999, 10_000) -> runs [{ first: 10_000, last: 10_000 }],
 *   clipped [{ bucket: 0, at: 9_999, lookbehindMs: 6_000 }]
 */
export function planWindows(from: number, to: number, w: number): WindowPlan {
  const plan: WindowPlan = { runs: [], clipped: [] };
  const b0 = Math.floor(from / w) * w;
  const bn = Math.floor(to / w) * w;
  const clip = (b: number): void => {
    const at = Math.min(b + w - 1, to);
    plan.clipped.push({ bucket: b, at, lookbehindMs: at - Math.max(b, from) + 1 });
  };
  const firstWhole = b0 >= from ? b0 : b0 + w;
  const lastWhole = bn + w - 1 <= to ? bn : bn - w;
  if (b0 < from || (b0 === bn && bn + w - 1 > to)) clip(b0);
  if (bn !== b0 && bn + w - 1 > to) clip(bn);
  for (let b = firstWhole; b <= lastWhole; b += MAX_WINDOWS_PER_QUERY * w) {
    plan.runs.push({ first: b, last: Math.min(lastWhole, b + (MAX_WINDOWS_PER_QUERY - 1) * w) });
  }
  return plan;
}

/** One series of a query answer. */
export interface PromSeries {
  metric: Record<string, string>;
  /** [seconds, "value"] pairs: a range query's `values`, or an instant query's `value` alone. */
  values: [number, string][];
}

/**
 * The series of a /api/v1/query or /api/v1/query_range JSON answer; throws with VictoriaMetrics' own error otherwise.
 */
export function parseQueryAnswer(body: unknown): PromSeries[] {
  const b = body as { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  if (b?.status !== 'success' || !Array.isArray(b.data?.result)) {
    throw new Error(
      `VictoriaMetrics answered ${b?.status ?? 'something else'}: ${b?.error ?? JSON.stringify(body).slice(0, 200)}`,
    );
  }
  return (
    b.data.result as { metric?: Record<string, string>; values?: [number, string][]; value?: [number, string] }[]
  ).map((r) => ({
    metric: r.metric ?? {},
    values: r.values ?? (r.value ? [r.value] : []),
  }));
}

/** One line of /api/v1/export: a series and its raw samples (ms). */
export interface ExportedSeries {
  metric: Record<string, string>;
  values: (number | string | null)[];
  timestamps: number[];
}

/**
 * Raw points of an /api/v1/export answer (JSON lines), merged over every device, oldest first
 * (ties by device, so the order is stable); samples that are not finite numbers are skipped.
 */
export function parseExport(text: string): SeriesPoint[] {
  const rows: { ts: number; value: number; device: string }[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const s = JSON.parse(line) as ExportedSeries;
    const device = s.metric.device ?? '';
    for (let i = 0; i < s.timestamps.length; i++) {
      const raw = s.values[i];
      const value = raw === null || raw === '' ? Number.NaN : Number(raw);
      if (Number.isFinite(value)) rows.push({ ts: s.timestamps[i]!, value, device });
    }
  }
  rows.sort((a, b) => a.ts - b.ts || (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
  return rows.map(({ ts, value }) => ({ ts, value }));
}
