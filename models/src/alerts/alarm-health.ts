import type { Alert } from './alert.js';
import { inScope } from '../vsm/model.js';
import type { AlarmHealth } from '../http/alarm-health.js';

/**
 * The alarm system's own health, in the terms of ISA-18.2 / EEMUA 191 performance monitoring
 * (issue 15 point 7), over a window of hours ending `to`:
 *
 * - **raises**: every time an alert was annunciated: its raise and each re-raise of a chattering
 *   alert held as one (the trail's `raised` entries). `alertsPerHour` = raises / hours; ISA-18.2's
 *   target is about 6 per operator position and hour (12 is "maximum manageable").
 * - **floods**: the window cut into 10-minute intervals; an interval with more than 10 raises is a
 *   flood (ISA-18.2). `share` = flooded intervals / intervals; the target is under 1 %.
 * - **standing**: alerts open at `to` whose latest raise is older than 24 h (target: fewer than 5).
 * - **top**: the ten (node, indicator) pairs raised most often in the window (the "bad actors";
 *   target: they make under 1–5 % of the load).
 * - **chattering**: alerts held as chattering that were open at `to` or chattered in the window.
 * - **shelved**: alerts shelved at `to`. **open**: alerts not resolved at `to`.
 * - **ack / resolve**: median time from a raise in the window to the first acknowledge, and to
 *   the resolve, after it (ms; null when none was).
 */
export type { AlarmHealth } from '../http/alarm-health.js';

export const FLOOD_INTERVAL_MS = 10 * 60_000;
/** More than this many raises in one 10-minute interval is a flood (ISA-18.2). */
export const FLOOD_THRESHOLD = 10;
export const STANDING_AFTER_MS = 24 * 3600_000;
export const TOP_ALERTS = 10;
const HOUR_MS = 3600_000;

export interface AlarmHealthOptions {
  /** The subtree: alerts that passed through this node or below it count. */
  node: string;
  /** The window's end (the injected clock's now), ms since epoch. */
  now: number;
  /** The window's length, hours (> 0). */
  hours: number;
}

/** Times an alert was raised: its trail's `raised` entries (a reopen is one too), else raisedAt. */
export function raiseTimes(a: Alert): number[] {
  const ts = a.trail.filter((t) => t.action === 'raised').map((t) => t.at);
  return ts.length ? ts : [a.raisedAt];
}

/**
 * The median of a list, or null when it is empty.
 * @example median([5, 1, 3]) // 3
 * @example median([4, 1, 3, 2]) // 2.5
 */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The alarm-health figures of `node`'s subtree over the `hours` before `now`, from the alerts
 * given (those raised in the window and those still open; anything else is ignored). Pure: the
 * same alerts, node, now and hours give the same answer.
 *
 * @example
 *   alarmHealth(alerts, { node: 'valle/norte', now: Date.parse('2026-12-05T12:00Z'), hours: 24 })
 *   // { raises: 30, alertsPerHour: 1.25, floods: { intervals: 144, flooded: 1, share: 0.0069, peak: 14 },
 *   //   standing: 2, top: [{ node: 'valle/norte/lana/taller-2', indicator: 'output', count: 9 }, …], … }
 */
export function alarmHealth(alerts: Iterable<Alert>, opts: AlarmHealthOptions): AlarmHealth {
  const { node, now: to } = opts;
  if (!(opts.hours > 0)) throw new RangeError(`alarmHealth: hours must be above 0, got ${opts.hours}`);
  const from = to - opts.hours * HOUR_MS;
  const intervals = Math.ceil((to - from) / FLOOD_INTERVAL_MS);
  const perInterval = new Array<number>(intervals).fill(0);
  const hourly = Array.from({ length: Math.ceil(opts.hours) }, (_, i) => ({ start: from + i * HOUR_MS, count: 0 }));
  const byKey = new Map<string, { node: string; indicator: string; count: number }>();
  const ack: number[] = [];
  const resolve: number[] = [];
  let raises = 0;
  let standing = 0;
  let chattering = 0;
  let shelved = 0;
  let open = 0;
  for (const a of alerts) {
    if (!a.path.some((p) => inScope(node, p))) continue;
    const times = raiseTimes(a);
    const inWindow = times.filter((t) => t > from && t <= to);
    // Open at `to`: not resolved, or resolved only after `to` (a window in the past).
    const resolvedAt = a.state === 'resolved' ? lastResolve(a) : undefined;
    const openAtEnd = times[0]! <= to && (resolvedAt === undefined || resolvedAt > to);
    if (openAtEnd) {
      open++;
      const lastRaise = Math.max(...times.filter((t) => t <= to));
      if (to - lastRaise > STANDING_AFTER_MS) standing++;
      if (a.shelved && a.shelved.at <= to && a.shelved.until > to) shelved++;
    }
    if (a.chattering && (openAtEnd || (a.chattering.lastAt > from && a.chattering.firstAt <= to))) chattering++;
    if (inWindow.length === 0) continue;
    raises += inWindow.length;
    for (const t of inWindow) {
      perInterval[Math.min(intervals - 1, Math.floor((t - from - 1) / FLOOD_INTERVAL_MS))]!++;
      hourly[Math.min(hourly.length - 1, Math.floor((t - from - 1) / HOUR_MS))]!.count++;
    }
    const k = `${a.node}\u0000${a.indicator}`;
    const entry = byKey.get(k) ?? { node: a.node, indicator: a.indicator, count: 0 };
    entry.count += inWindow.length;
    byKey.set(k, entry);
    responseTimes(a, from, to, ack, resolve);
  }
  const flooded = perInterval.filter((n) => n > FLOOD_THRESHOLD).length;
  const top = [...byKey.values()]
    .sort((x, y) => y.count - x.count || x.node.localeCompare(y.node) || x.indicator.localeCompare(y.indicator))
    .slice(0, TOP_ALERTS);
  return {
    node,
    from,
    to,
    hours: opts.hours,
    raises,
    alertsPerHour: raises / opts.hours,
    hourly,
    floods: { intervals, flooded, share: intervals ? flooded / intervals : 0, peak: Math.max(0, ...perInterval) },
    standing,
    top,
    chattering,
    shelved,
    open,
    medianAckMs: median(ack),
    medianResolveMs: median(resolve),
  };
}

function lastResolve(a: Alert): number {
  for (let i = a.trail.length - 1; i >= 0; i--) if (a.trail[i]!.action === 'resolved') return a.trail[i]!.at;
  return a.updatedAt;
}

/**
 * For each raise in (from, to]: the time to the first acknowledge and to the resolve that follow it
 * before the next raise, when they happened by `to`.
 */
function responseTimes(a: Alert, from: number, to: number, ack: number[], resolve: number[]): void {
  let raisedAt: number | null = null;
  let acked = false;
  const hasRaise = a.trail.some((t) => t.action === 'raised');
  const trail = hasRaise ? a.trail : [{ at: a.raisedAt, action: 'raised' }, ...a.trail];
  for (const t of trail) {
    if (t.at > to) break;
    if (t.action === 'raised') {
      raisedAt = t.at > from ? t.at : null;
      acked = false;
    } else if (raisedAt !== null && t.action === 'acknowledged' && !acked) {
      ack.push(t.at - raisedAt);
      acked = true;
    } else if (raisedAt !== null && t.action === 'resolved') {
      resolve.push(t.at - raisedAt);
      raisedAt = null;
    }
  }
}
