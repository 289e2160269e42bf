/**
 * Scoring the demo's alert stream against its faults log (see demo-alerts.ts): pure functions over
 * the faults the demo says it injected and the alerts the server raised.
 */
import { inScope, type Alert, type Model } from '@opsroom/models';
import type { FaultRecord } from '../src/demo/fault-schedule.js';

/** A fault counts as alerted when an alert comes within this long of its start, ms. */
export const DETECT_WITHIN_MS = 60_000;
/** An alert has a fault behind it when raised within [start, start + duration + this], ms. */
export const BLAME_AFTER_MS = 60_000;

export type AlertLike = Pick<Alert, 'id' | 'node' | 'indicator' | 'kind' | 'raisedAt' | 'path' | 'trail'> &
  Pick<Partial<Alert>, 'groups'>;

/** The fault's node and its parent: where an alert about it may be raised. */
function near(model: Model, node: string): Set<string> {
  const parent = model.nodes.get(node)?.parent;
  return new Set(parent ? [node, parent] : [node]);
}

/** Same indicator, or a grouping alert that spans several ('*'). */
const sameIndicator = (a: AlertLike, metric: string) => a.indicator === metric || a.indicator === '*';

export interface FaultOutcome {
  fault: FaultRecord;
  /** Scored only if the run lasted DETECT_WITHIN_MS past its start. */
  scored: boolean;
  /** First alert at its node or parent on its indicator within DETECT_WITHIN_MS of its start (ms after the start), else null. */
  sameIndicatorMs: number | null;
  /** Same, on any indicator. */
  anyIndicatorMs: number | null;
  /**
   * First time an alert already open at its node or parent on its indicator fired again (a
   * `refired` trail entry: a new change or dropout on that series) within DETECT_WITHIN_MS of its
   * start (ms after the start), else null.
   */
  refiredMs: number | null;
  /** The earlier of sameIndicatorMs and refiredMs: the room showed this fault on its series. */
  alertedMs: number | null;
  /** An alert of its node and indicator was already open at its start, so it could raise no new one there. */
  masked: boolean;
}

/** What became of each fault. `endMs`: when the run stopped. */
export function faultOutcomes(
  model: Model,
  faults: readonly FaultRecord[],
  alerts: readonly AlertLike[],
  endMs: number,
): FaultOutcome[] {
  return faults.map((fault) => {
    const where = near(model, fault.node);
    const within = alerts.filter(
      (a) => where.has(a.node) && a.raisedAt >= fault.atMs && a.raisedAt <= fault.atMs + DETECT_WITHIN_MS,
    );
    const first = (xs: AlertLike[]) => (xs.length ? Math.min(...xs.map((a) => a.raisedAt)) - fault.atMs : null);
    const masked = alerts.some(
      (a) =>
        a.node === fault.node && a.indicator === fault.metric && a.raisedAt < fault.atMs && !resolvedBy(a, fault.atMs),
    );
    const refires = alerts
      .filter((a) => where.has(a.node) && a.indicator === fault.metric)
      .flatMap((a) =>
        a.trail
          .filter((e) => e.action === 'refired' && e.at >= fault.atMs && e.at <= fault.atMs + DETECT_WITHIN_MS)
          .map((e) => e.at - fault.atMs),
      );
    const sameIndicatorMs = first(within.filter((a) => sameIndicator(a, fault.metric)));
    const refiredMs = refires.length ? Math.min(...refires) : null;
    return {
      fault,
      scored: fault.atMs + DETECT_WITHIN_MS <= endMs,
      sameIndicatorMs,
      anyIndicatorMs: first(within),
      refiredMs,
      alertedMs:
        sameIndicatorMs === null
          ? refiredMs
          : refiredMs === null
            ? sameIndicatorMs
            : Math.min(sameIndicatorMs, refiredMs),
      masked,
    };
  });
}

function resolvedBy(a: AlertLike, t: number): boolean {
  return a.trail.some((e) => e.toState === 'resolved' && e.at <= t);
}

/**
 * Whether an alert has an injected fault behind it: its node is the fault's node or its parent and
 * it was raised within [start, start + duration + BLAME_AFTER_MS]. `sameIndicator` also asks
 * for the fault's indicator (or a grouping alert). A grouping alert (one with `groups`) stands for
 * the child alerts it groups: it has a fault behind it when one of them has (looked up in `all`),
 * wherever in the tree it sits — a cooperative's group over two workshop faults is about them.
 */
export function hasFaultBehind(
  model: Model,
  alert: AlertLike,
  faults: readonly FaultRecord[],
  sameIndicatorOnly = false,
  all: readonly AlertLike[] = [],
): boolean {
  let byId: Map<string, AlertLike> | undefined; // built only for a grouping alert
  const behind = (a: AlertLike, seen: Set<string>): boolean => {
    if (seen.has(a.id)) return false;
    seen.add(a.id);
    const direct = faults.some(
      (f) =>
        near(model, f.node).has(a.node) &&
        a.raisedAt >= f.atMs &&
        a.raisedAt <= f.atMs + f.durationMs + BLAME_AFTER_MS &&
        (!sameIndicatorOnly || sameIndicator(a, f.metric)),
    );
    if (direct) return true;
    return (a.groups ?? []).some((id) => {
      const child = (byId ??= new Map(all.map((x) => [x.id, x]))).get(id);
      return child !== undefined && behind(child, seen);
    });
  };
  return behind(alert, new Set());
}

/**
 * The `refired` trail entries of all alerts, each with whether an injected fault is behind it (its
 * node is the fault's node or parent, the same indicator, within [start, start + duration + BLAME_AFTER_MS]).
 */
export function refires(
  model: Model,
  alerts: readonly AlertLike[],
  faults: readonly FaultRecord[],
): Array<{ alert: string; at: number; explained: boolean }> {
  return alerts.flatMap((a) =>
    a.trail
      .filter((e) => e.action === 'refired')
      .map((e) => ({
        alert: a.id,
        at: e.at,
        explained: faults.some(
          (f) =>
            near(model, f.node).has(a.node) &&
            f.metric === a.indicator &&
            e.at >= f.atMs &&
            e.at <= f.atMs + f.durationMs + BLAME_AFTER_MS,
        ),
      })),
  );
}

/** The operators: nodes some user (council, planner, admin; devices are not users) is scoped to, each with the users there. */
export function operators(model: Model): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const u of model.users.values()) {
    out.set(u.scope, [...(out.get(u.scope) ?? []), u.name]);
  }
  return out;
}

/**
 * Alerts an operator at `scope` meets: raised in their subtree (what their inbox shows), and
 * those whose ownership reached their node itself (raised there or escalated to it).
 */
export function operatorLoad(scope: string, alerts: readonly AlertLike[]): { inView: number; reached: number } {
  let inView = 0;
  let reached = 0;
  for (const a of alerts) {
    if (a.path.some((p) => inScope(scope, p))) inView++;
    if (a.path.includes(scope)) reached++;
  }
  return { inView, reached };
}

/** Alerts raised per whole minute since `startMs`. */
export function perMinute(alerts: readonly AlertLike[], startMs: number, minutes: number): number[] {
  const out = new Array<number>(Math.max(0, Math.ceil(minutes))).fill(0);
  for (const a of alerts) {
    const m = Math.floor((a.raisedAt - startMs) / 60_000);
    if (m >= 0 && m < out.length) out[m]!++;
  }
  return out;
}

/** The median of `xs` (NaN when empty). */
export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
