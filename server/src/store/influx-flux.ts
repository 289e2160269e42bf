// Flux text for the InfluxDB 2 backend (pure functions; influx-store.ts sends them).
import { flux, fluxDateTime, fluxExpression } from '@influxdata/influxdb-client';
import type { Aggregate } from './store.js';
import type { NormalizedQuery } from './validate.js';

/** Latest instant Flux's time type (and Date) handle comfortably here: 2255-03-14. */
const MAX_MS = 9_000_000_000_000;

/** A Flux `time(v: "...")` for ms since the epoch, clamped to [1970, 2255]. */
export function fluxTime(ms: number): ReturnType<typeof fluxDateTime> {
  const clamped = Math.min(Math.max(Number.isFinite(ms) ? ms : ms > 0 ? MAX_MS : 0, 0), MAX_MS);
  return fluxDateTime(new Date(Math.floor(clamped)).toISOString());
}

const FLUX_FN: Record<Aggregate, string> = { mean: 'mean', min: 'min', max: 'max', last: 'last', count: 'count' };

/**
 * The Flux of a range query. Flux's `range` excludes its stop, so stop = to + 1 ms to include `to`.
 * Raw: every device's points merged into one table, sorted by time. Windowed: merged, sorted, then
 * `aggregateWindow` (windows aligned to the epoch like `(ts / w) * w`, stamped with their start).
 *
 * Example (windowMs 60000, aggregate max) ends with:
 *   |> group() |> sort(columns: ["_time"]) |> aggregateWindow(every: 60000ms, fn: max, createEmpty: false, timeSrc:
 *     "_start")
 */
export function rangeFlux(bucket: string, q: NormalizedQuery): string {
  const base = flux`from(bucket: ${bucket})
  |> range(start: ${fluxTime(q.from)}, stop: ${fluxTime(q.to + 1)})
  |> filter(fn: (r) => r._measurement == ${q.metric} and r._field == "value" and r.node == ${q.node})
  |> group()`.toString();
  if (q.windowMs === undefined) return `${base}\n  |> sort(columns: ["_time", "device"])`;
  const every = fluxExpression(`${q.windowMs}ms`);
  const fn = fluxExpression(FLUX_FN[q.aggregate]);
  return `${base}\n${flux`  |> sort(columns: ["_time"])
  |> aggregateWindow(every: ${every}, fn: ${fn}, createEmpty: false, timeSrc: "_start")`.toString()}`;
}

/** The newest point of every series (measurement, node, device) since `startMs`, optionally of these nodes only. */
export function latestFlux(bucket: string, startMs: number, nodes?: readonly string[]): string {
  const nodeFilter = nodes === undefined ? '' : flux` and contains(value: r.node, set: ${[...nodes]})`.toString();
  return `${flux`from(bucket: ${bucket})
  |> range(start: ${fluxTime(startMs)})
  |> filter(fn: (r) => r._field == "value"`.toString()}${nodeFilter})
  |> last()`;
}

/** How many `value` points are older than `beforeMs` (one row, `_value`). */
export function countBeforeFlux(bucket: string, beforeMs: number): string {
  return flux`from(bucket: ${bucket})
  |> range(start: ${fluxTime(0)}, stop: ${fluxTime(beforeMs)})
  |> filter(fn: (r) => r._field == "value")
  |> group()
  |> count()`.toString();
}

/** ms since the epoch of a Flux RFC3339 time (nanoseconds beyond the ms are dropped). */
export function parseFluxTime(value: unknown): number {
  const ms = typeof value === 'number' ? value : Date.parse(String(value));
  if (!Number.isFinite(ms)) throw new Error(`InfluxDB returned a time that is not RFC3339: ${String(value)}`);
  return ms;
}
