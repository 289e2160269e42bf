/**
 * The roll-up period: at the end of every period the live model closes it (stale nodes, missing
 * children, Beer's indices over the period), the room gets the updates, and parents' rolled-up
 * values are stored as series of their own (device `$rollup`) so the live view of a parent can be
 * charted.
 */
import type { IndicatorUpdate, Model } from '@opsroom/models';
import type { StoredPoint } from '../store/store.js';

/** The device id under which parents' rolled-up values are stored (not a valid device id, so never a device's). */
export const ROLLUP_DEVICE = '$rollup';

/** The points to store for one period's updates: fresh values of nodes that have children, stamped `ts`. */
export function parentRollupPoints(updates: readonly IndicatorUpdate[], model: Model, ts: number): StoredPoint[] {
  const points: StoredPoint[] = [];
  for (const u of updates) {
    if (u.value === null || u.stale || (model.nodes.get(u.node)?.children.length ?? 0) === 0) continue;
    points.push({ node: u.node, metric: u.indicator, deviceId: ROLLUP_DEVICE, ts, value: u.value });
  }
  return points;
}
