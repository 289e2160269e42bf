// The chart's time range: presets, the bounds a zoom or pan is held to, and the small sums the
// chart needs (points to ask for, the point under the pointer). Pure: no DOM, no network.

import { formatNumber, locale, t } from '../i18n/i18n.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A unit of time the chart names (catalogue keys `chart.unit.*`). */
export type SpanUnit = 's' | 'min' | 'h' | 'd' | 'y';

/** The range presets offered above the chart: `count` of `unit` (the button says it, see presetLabel). */
export const RANGE_PRESETS: ReadonlyArray<{ id: string; count: number; unit: SpanUnit; ms: number }> = [
  { id: '15m', count: 15, unit: 'min', ms: 15 * MIN },
  { id: '1h', count: 1, unit: 'h', ms: HOUR },
  { id: '6h', count: 6, unit: 'h', ms: 6 * HOUR },
  { id: '24h', count: 24, unit: 'h', ms: DAY },
  { id: '7d', count: 7, unit: 'd', ms: 7 * DAY },
  { id: '30d', count: 30, unit: 'd', ms: 30 * DAY },
  { id: '1y', count: 1, unit: 'y', ms: 365 * DAY },
];

/**
 * An amount of a unit in the active language, its number in the locale's format.
 * @example spanWords(1.5, 'h') // '1.5 h' (English), '1,5 h' (Spanish)
 */
export function spanWords(count: number, unit: SpanUnit): string {
  return t(`chart.unit.${unit}`, { count, n: formatNumber(count, { maximumFractionDigits: 1 }) });
}

/**
 * A preset's button label in the active language.
 * @example presetLabel(RANGE_PRESETS[6]) // '1 y' (English), '1 año' (Spanish)
 */
export function presetLabel(p: { count: number; unit: SpanUnit }): string {
  return spanWords(p.count, p.unit);
}

/**
 * The Intl.DateTimeFormat options of the time axis's ticks, chosen by the span shown: time of day
 * (with seconds up to 10 min) for spans up to two days, day and month up to about three months,
 * month and year beyond.
 * @example tickFormatOptions(6 * 3_600_000) // { hour: '2-digit', minute: '2-digit' }
 */
export function tickFormatOptions(spanMs: number): Intl.DateTimeFormatOptions {
  if (spanMs <= 10 * MIN) return { hour: '2-digit', minute: '2-digit', second: '2-digit' };
  if (spanMs <= 2 * DAY) return { hour: '2-digit', minute: '2-digit' };
  if (spanMs <= 92 * DAY) return { day: 'numeric', month: 'short' };
  return { month: 'short', year: 'numeric' };
}

/**
 * The tick labeller of a time axis over `spanMs`, in `loc` (default: the active locale) and the
 * browser's time zone unless `timeZone` is given.
 * @example tickFormatter(365 * 86_400_000, 'es-ES', 'UTC')(new Date(Date.UTC(2026, 11, 6))) // 'dic 2026'
 */
export function tickFormatter(spanMs: number, loc: string = locale(), timeZone?: string): (d: Date) => string {
  const f = new Intl.DateTimeFormat(loc, { ...tickFormatOptions(spanMs), ...(timeZone ? { timeZone } : {}) });
  return (d) => f.format(d);
}
/** The narrowest span a zoom reaches, ms. */
export const MIN_SPAN_MS = 2 * MIN;
/** The widest span a zoom reaches, ms (a year and a day, so the 1 y preset can be panned). */
export const MAX_SPAN_MS = 366 * DAY;

/** What the chart shows: `[from, to]`; `live` when it ends now and follows the clock. */
export interface ChartRange {
  from: number;
  to: number;
  live: boolean;
}

/**
 * The range a preset shows: the last `ms` up to now, following the clock.
 * @example presetRange(3_600_000, 10_000_000) // { from: 6_400_000, to: 10_000_000, live: true }
 */
export function presetRange(ms: number, now: number): ChartRange {
  return { from: now - ms, to: now, live: true };
}

/**
 * A zoomed or panned domain held to the bounds: its span within [MIN_SPAN_MS, MAX_SPAN_MS] (kept
 * centred), not past now (moved back); `live` when it ends within 1% of its span of now.
 * @example clampRange(0, 1000, 10 * 60_000) // { from: -59_500, to: 60_500, live: false }
 */
export function clampRange(from: number, to: number, now: number): ChartRange {
  let span = Math.max(to - from, 0);
  const mid = from + span / 2;
  span = Math.min(Math.max(span, MIN_SPAN_MS), MAX_SPAN_MS);
  let t1 = Math.round(mid + span / 2);
  const t0 = Math.round(mid - span / 2);
  const shift = t1 > now ? t1 - now : 0;
  t1 -= shift;
  const live = now - t1 <= span * 0.01;
  return live ? { from: t0 - shift, to: now, live } : { from: t0 - shift, to: t1, live };
}

/**
 * The preset a range is, if it is one (a live range of a preset's span), else null.
 * @example presetOf({ from: 0, to: 3_600_000, live: true }) // '1h'
 */
export function presetOf(r: ChartRange): string | null {
  if (!r.live) return null;
  return RANGE_PRESETS.find((p) => Math.abs(r.to - r.from - p.ms) < 1000)?.id ?? null;
}

/**
 * How many points to ask of /api/history for a plot `width` pixels wide: about one a pixel, 100 to 2,000.
 * @example maxPointsFor(437.6) // 438
 */
export function maxPointsFor(width: number): number {
  return Math.min(2_000, Math.max(100, Math.round(width)));
}

/**
 * A span in words in the active language, the largest unit (days at most) that is at least one.
 * @example formatSpan(90 * 60_000) // '1.5 h'
 */
export function formatSpan(ms: number): string {
  const units: Array<[number, SpanUnit]> = [
    [DAY, 'd'],
    [HOUR, 'h'],
    [MIN, 'min'],
    [1000, 's'],
  ];
  for (const [u, name] of units) {
    if (ms >= u) return spanWords(Number((ms / u).toFixed(1)), name);
  }
  return `${formatNumber(ms)} ms`;
}

/**
 * The point nearest in time to `ts` of points sorted by time, or undefined when there are none.
 * @example nearestPoint([{ ts: 0, value: 1 }, { ts: 10, value: 2 }], 6) // { ts: 10, value: 2 }
 */
export function nearestPoint<P extends { ts: number }>(points: readonly P[], ts: number): P | undefined {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((points[mid] as P).ts < ts) lo = mid + 1;
    else hi = mid;
  }
  const after = points[lo];
  const before = points[lo - 1];
  if (!before) return after;
  if (!after) return before;
  return ts - before.ts <= after.ts - ts ? before : after;
}
