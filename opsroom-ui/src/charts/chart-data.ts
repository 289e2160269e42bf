// What the indicator chart shows and how it gets it: which series (the focused node's indicator,
// or several indicators of the node, or the node and its children), each read from /api/history,
// the band over history, the anomaly marks of the range, and the CSV of what is charted.
import { historyCsv, type Alert, type IndicatorDef, type NodeView } from '@opsroom/models';
import type { HistoryPoint, HistoryResult, OpsroomApi } from '../data/api.js';
import type { ChartRange } from './chart-range.js';

/** Compare: one series, the node's indicators side by side, or the node with its children overlaid. */
export type CompareMode = 'none' | 'indicators' | 'children';

/** The most series charted at once (children beyond it are left out, and the legend says so). */
export const MAX_SERIES = 8;

/** A band behind a line: the window's min and max over history, or the detector's live forecast. */
export interface BandPoint {
  ts: number;
  lower: number;
  upper: number;
}

export interface SeriesSpec {
  node: string;
  indicator: string;
  /** Legend and read-out label. */
  label: string;
  unit: string;
  /** The focused node's series: it gets the band and follows live updates. */
  primary: boolean;
}

export interface ChartSeries extends SeriesSpec {
  points: HistoryPoint[];
  /** min-max of each window, for windowed history of the primary series; empty for raw points. */
  band: BandPoint[];
  resolution: HistoryResult['resolution'] | null;
  truncated: boolean;
  error?: string;
}

/** One small multiple: an indicator, with its series (one per node) sharing a y axis. */
export interface ChartPanel {
  indicator: string;
  title: string;
  unit: string;
  series: ChartSeries[];
}

/**
 * The series to chart for a focused node and indicator in a compare mode: the node's indicator;
 * every indicator of the node (one panel each); or the node and its children (one panel, at most
 * MAX_SERIES lines). The second value is how many children were left out.
 * @example chartSpecs('none', 'valle', 'output', nodes, indicators)
 * // [[{ node: 'valle', indicator: 'output', label: 'Production output', unit: 'units/h', primary: true }], 0]
 */
export function chartSpecs(
  mode: CompareMode,
  focus: string,
  indicator: string,
  nodes: ReadonlyMap<string, NodeView>,
  indicators: readonly IndicatorDef[],
): [SeriesSpec[], number] {
  const node = nodes.get(focus);
  const nodeName = node?.name ?? focus;
  const def = (id: string) => indicators.find((i) => i.id === id);
  const one = (path: string, id: string, label: string, primary: boolean): SeriesSpec => ({
    node: path,
    indicator: id,
    label,
    unit: def(id)?.unit ?? '',
    primary,
  });
  if (mode === 'indicators') {
    return [indicators.slice(0, MAX_SERIES).map((i) => one(focus, i.id, i.name, true)), 0];
  }
  if (mode === 'children') {
    const children = node?.children ?? [];
    const shown = children.slice(0, MAX_SERIES - 1);
    const specs = [
      one(focus, indicator, nodeName, true),
      ...shown.map((c) => one(c, indicator, nodes.get(c)?.name ?? c, false)),
    ];
    return [specs, children.length - shown.length];
  }
  return [[one(focus, indicator, def(indicator)?.name ?? indicator, true)], 0];
}

/** Series grouped into panels, one per indicator, in the order first met. */
export function panelsOf(series: readonly ChartSeries[], indicators: readonly IndicatorDef[]): ChartPanel[] {
  const panels: ChartPanel[] = [];
  for (const s of series) {
    let p = panels.find((x) => x.indicator === s.indicator);
    if (!p) {
      const def = indicators.find((i) => i.id === s.indicator);
      p = { indicator: s.indicator, title: def?.name ?? s.indicator, unit: def?.unit ?? '', series: [] };
      panels.push(p);
    }
    p.series.push(s);
  }
  return panels;
}

/**
 * One series over a range: the mean line from /api/history (the server picks raw points or windows
 * that fit `maxPoints`), and for the primary series, when the answer is windows, the windows' min
 * and max asked the same way (same range, same budget, so the same windows).
 */
export async function loadSeries(
  api: OpsroomApi,
  spec: SeriesSpec,
  range: ChartRange,
  maxPoints: number,
): Promise<ChartSeries> {
  const q = {
    node: spec.node,
    indicator: spec.indicator,
    from: Math.round(range.from),
    to: Math.round(range.to),
    maxPoints,
  };
  try {
    const mean = await api.history({ ...q, aggregate: 'mean' });
    const points = finite(mean.points);
    let band: BandPoint[] = [];
    if (spec.primary && mean.resolution.stepMs !== null && points.length > 0) {
      const [lo, hi] = await Promise.all([
        api.history({ ...q, aggregate: 'min' }),
        api.history({ ...q, aggregate: 'max' }),
      ]);
      const upper = new Map(finite(hi.points).map((p) => [p.ts, p.value]));
      band = finite(lo.points).flatMap((p) => {
        const u = upper.get(p.ts);
        return u === undefined ? [] : [{ ts: p.ts, lower: p.value, upper: u }];
      });
    }
    return { ...spec, points, band, resolution: mean.resolution, truncated: mean.truncated };
  } catch (err) {
    return { ...spec, points: [], band: [], resolution: null, truncated: false, error: (err as Error).message };
  }
}

function finite(points: readonly HistoryPoint[]): HistoryPoint[] {
  return points.filter((p) => Number.isFinite(p.value)).sort((a, b) => a.ts - b.ts);
}

/**
 * The alerts to mark over a range: those of the server raised within it on a charted node and
 * indicator (every state, resolved included), merged with the live ones the room holds (newer).
 */
export async function loadMarks(
  api: OpsroomApi,
  focus: string,
  specs: readonly SeriesSpec[],
  range: ChartRange,
  live: ReadonlyMap<string, Alert>,
): Promise<Alert[]> {
  let past: Alert[];
  try {
    past = await api.alerts({
      node: focus,
      since: Math.max(0, Math.round(range.from)),
      until: Math.round(range.to),
      shelved: 'include',
      order: 'newest',
      limit: 1000,
    });
  } catch {
    past = []; // marks are extra: the chart stands without them
  }
  const byId = new Map(past.map((a) => [a.id, a]));
  for (const a of live.values()) byId.set(a.id, a);
  return marksIn([...byId.values()], specs, range);
}

/** The alerts on a charted node and indicator raised within the range, oldest first. */
export function marksIn(alerts: readonly Alert[], specs: readonly SeriesSpec[], range: ChartRange): Alert[] {
  const charted = new Set(specs.map((s) => `${s.node}\u0000${s.indicator}`));
  const end = range.live ? Number.POSITIVE_INFINITY : range.to;
  return (
    alerts
      // A live range's end is the last time it moved; an alert raised since is still in it.
      .filter((a) => charted.has(`${a.node}\u0000${a.indicator}`) && a.raisedAt >= range.from && a.raisedAt <= end)
      .sort((a, b) => a.raisedAt - b.raisedAt)
  );
}

/**
 * The CSV of what is charted (models' historyCsv, the format of GET /api/history?format=csv): each
 * series' line (mean windows or raw points) in the range (windows overlapping it), then the band's min and max rows of
 * the windows it was drawn from. The live forecast band is not history and is not written.
 */
export function chartCsv(series: readonly ChartSeries[], range: ChartRange): string {
  return historyCsv(
    series.flatMap((s) => {
      const step = s.resolution?.stepMs ?? null;
      // A window is stamped with its start: the first may begin before the range and is charted.
      const within = <P extends { ts: number }>(ps: readonly P[]) =>
        ps.filter((p) => p.ts + (step ?? 0) > range.from && p.ts <= range.to);
      const base = { node: s.node, indicator: s.indicator, unit: s.unit, stepMs: step };
      const rows = [
        { ...base, aggregate: step === null ? null : (s.resolution?.aggregate ?? 'mean'), points: within(s.points) },
      ];
      const band = within(s.band);
      if (band.length > 0) {
        rows.push({ ...base, aggregate: 'min', points: band.map((b) => ({ ts: b.ts, value: b.lower })) });
        rows.push({ ...base, aggregate: 'max', points: band.map((b) => ({ ts: b.ts, value: b.upper })) });
      }
      return rows;
    }),
  );
}
