// One indicator's history of one node at a resolution that fits a point budget (issue 18 point 3).
// A leaf's history is its stored series; a parent's is computed from its descendants' stored series
// with the indicator's roll-up rule (the live model's maths, models/src/vsm/rollup.ts), window by
// window, so readings back-filled after an outage show at every level.
import { rollup, type IndicatorDef, type Model, type RollupInput, type RollupRule } from '@opsroom/models';
import type { Aggregate, SeriesPoint, TimeSeriesStore } from '../store/store.js';
import { readTurn, TurnBudget } from '../store/turn-budget.js';
import { atLeast, autoStep, planWindows, windowCount, type WindowPlan } from './resolution.js';

export interface HistoryRequest {
  node: string;
  indicator: string;
  /** Inclusive bounds, ms since the epoch. */
  from: number;
  to: number;
  /** Window width asked for; absent: raw points when they fit in maxPoints, else the finest step that fits. */
  windowMs?: number;
  aggregate: Aggregate;
  maxPoints: number;
}

/** What the answer's points are. */
export interface HistoryResolution {
  /** Window width, ms; null for raw points. */
  stepMs: number | null;
  /** How each window reduces its points; null for raw points. */
  aggregate: Aggregate | null;
  /**
   * Where the store read them: raw points, a stored tier (`minute`, `hour`), or windows the store computes itself
   * (`store`).
   */
  source: 'raw' | 'minute' | 'hour' | 'store';
  /** `stored`: the node's own series; `children`: rolled up from its leaves' stored series by `rule`. */
  basis: 'stored' | 'children';
  rule?: RollupRule;
  /** Leaves whose stored series a parent's history was computed from. */
  leaves?: number;
  /** Why this resolution, in words. */
  reason: string;
}

export interface HistoryAnswer {
  node: string;
  indicator: string;
  /** The range answered (`from` is later than asked when the answer was cut). */
  from: number;
  to: number;
  points: SeriesPoint[];
  resolution: HistoryResolution;
  /** True when the answer leaves out part of the range asked for; `truncatedReason` says which and why. */
  truncated: boolean;
  truncatedReason?: string;
}

export interface HistoryOptions {
  /**
   * The live model's roll-up period, ms: a parent's windows are at least this wide, because the live
   * view rolls a parent up once per period from its children's readings of that period.
   */
  rollupPeriodMs: number;
}

/**
 * Auto resolution tries raw points only for steps up to this (ranges up to maxPoints minutes), so a raw read stays
 * bounded on every store.
 */
const RAW_TRY_MAX_STEP_MS = 60_000;

/**
 * Reads `req` from `store` (node and indicator must exist in `model`; the caller checks scope).
 *
 * Example: a leaf, a year, no windowMs, maxPoints 2,000 -> 6 h windows of means from the hour
 * tier (1,461 points), `truncated: false`; the same with windowMs 60 000 -> the newest 2,000
 * minutes, `truncated: true` with the reason.
 */
export async function readHistory(
  store: TimeSeriesStore,
  model: Model,
  req: HistoryRequest,
  opts: HistoryOptions,
): Promise<HistoryAnswer> {
  const node = model.nodes.get(req.node);
  const ind = model.indicators.find((i) => i.id === req.indicator);
  if (node === undefined || ind === undefined)
    throw new RangeError(`readHistory: unknown node ${req.node} or indicator ${req.indicator}`);
  const parent = node.children.length > 0;
  await readTurn(); // requests arriving together start one per event-loop iteration
  const minStep = parent ? opts.rollupPeriodMs : 0;
  const base = { node: req.node, indicator: req.indicator };
  let plan: WindowPlan;
  let reason: string;
  if (req.windowMs !== undefined) {
    const w = atLeast(req.windowMs, minStep);
    reason =
      w === req.windowMs
        ? 'windowMs as asked'
        : `windowMs ${req.windowMs} widened to ${w}: a parent is rolled up once ` +
          `per roll-up period (${minStep} ms), as in the live view`;
    plan = planWindows(req.from, req.to, w, req.maxPoints);
  } else {
    const w = autoStep(req.from, req.to, req.maxPoints, minStep);
    reason = `the finest step at which the range fits in maxPoints (${req.maxPoints})`;
    if (!parent && w <= RAW_TRY_MAX_STEP_MS) {
      const raw = await store.query({
        node: req.node,
        metric: req.indicator,
        from: req.from,
        to: req.to,
        limit: req.maxPoints + 1,
      });
      if (raw.length <= req.maxPoints) {
        return {
          ...base,
          from: req.from,
          to: req.to,
          points: raw,
          truncated: false,
          resolution: {
            stepMs: null,
            aggregate: null,
            source: 'raw',
            basis: 'stored',
            reason: `raw points: the range holds ${raw.length}, within maxPoints (${req.maxPoints})`,
          },
        };
      }
      reason = `more than maxPoints (${req.maxPoints}) raw points in the range: ${reason}`;
    }
    plan = { stepMs: w, from: req.from, to: req.to, truncated: false };
  }
  const source = store.windowSource?.(plan.stepMs) ?? 'store';
  let points: SeriesPoint[];
  let resolution: HistoryResolution;
  if (parent) {
    const r = await rolledUp(store, model, req.node, ind, plan, req.aggregate);
    points = r.points;
    resolution = {
      stepMs: plan.stepMs,
      aggregate: req.aggregate,
      source,
      basis: 'children',
      rule: ind.rollup,
      leaves: r.leaves,
      reason,
    };
  } else {
    points = await store.query({
      node: req.node,
      metric: req.indicator,
      from: plan.from,
      to: plan.to,
      windowMs: plan.stepMs,
      aggregate: req.aggregate,
    });
    resolution = { stepMs: plan.stepMs, aggregate: req.aggregate, source, basis: 'stored', reason };
  }
  let { truncated, truncatedReason } = plan;
  if (points.length > req.maxPoints) {
    // Not expected (the plan fits maxPoints windows); said rather than sent.
    truncatedReason =
      `${points.length} points exceed maxPoints (${req.maxPoints}): the ` +
      `oldest ${points.length - req.maxPoints} were left out`;
    points = points.slice(-req.maxPoints);
    truncated = true;
  }
  // Serialising the answer (up to maxPoints points) gets a turn of its own, not the last read's.
  await readTurn();
  return {
    ...base,
    from: plan.from,
    to: plan.to,
    points,
    resolution,
    truncated,
    ...(truncatedReason !== undefined ? { truncatedReason } : {}),
  };
}

/**
 * A parent's windows from its leaves' stored windows: per window, the indicator's roll-up rule over
 * its children's values (each child a leaf's stored window or a rolled-up node), weighted by the
 * children's weights for `weighted_mean`; a child without a value in a window is left out (as a
 * stale child is live), a window no child has a value in is left out. `count` adds the children's
 * counts (readings in the window across the subtree) whatever the rule.
 *
 * Example, rule sum, mean windows: leaf a (0: 2, 60 000: 4), leaf b (0: 3) -> (0: 5) (60 000: 4).
 */
async function rolledUp(
  store: TimeSeriesStore,
  model: Model,
  path: string,
  ind: IndicatorDef,
  plan: WindowPlan,
  aggregate: Aggregate,
): Promise<{ points: SeriesPoint[]; leaves: number }> {
  const w = plan.stepMs;
  const first = Math.floor(plan.from / w);
  const n = windowCount(plan.from, plan.to, w);
  const budget = new TurnBudget();
  let leaves = 0;

  /** Values per window index (NaN: none) of `p`. */
  const valuesOf = async (p: string): Promise<Float64Array> => {
    const node = model.nodes.get(p)!;
    const out = new Float64Array(n).fill(NaN);
    if (node.children.length === 0) {
      leaves++;
      const pts = await store.query({ node: p, metric: ind.id, from: plan.from, to: plan.to, windowMs: w, aggregate });
      for (const pt of pts) out[Math.floor(pt.ts / w) - first] = pt.value;
      await budget.maybeYield();
      return out;
    }
    const kids: Float64Array[] = [];
    const inputs: RollupInput[] = [];
    for (const c of node.children) {
      kids.push(await valuesOf(c));
      inputs.push({ value: 0, weight: ind.weight === undefined ? undefined : model.nodes.get(c)!.weights[ind.weight] });
    }
    const present: RollupInput[] = [];
    for (let i = 0; i < n; i++) {
      present.length = 0;
      let count = 0;
      for (let k = 0; k < kids.length; k++) {
        const v = kids[k]![i]!;
        if (Number.isNaN(v)) continue;
        inputs[k]!.value = v;
        present.push(inputs[k]!);
        count += v;
      }
      if (present.length === 0) continue;
      const v = aggregate === 'count' ? count : rollup(ind.rollup, present);
      if (v !== null) out[i] = v;
      if ((i & 1023) === 1023) await budget.maybeYield();
    }
    return out;
  };

  const values = await valuesOf(path);
  const points: SeriesPoint[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(values[i]!)) points.push({ ts: (first + i) * w, value: values[i]! });
  return { points, leaves };
}
