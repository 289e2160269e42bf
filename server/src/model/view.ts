import { inScope } from '@opsroom/models';
import type { IndicatorUpdate, Levels, Model, ModelView, NodeView, PersonView } from '@opsroom/models';

/**
 * The model as a caller scoped to `scope` may see it: the scope node and its subtree, depth-first,
 * with the scope node's parent left out (it is outside), and the people it meets on its alerts
 * ({@link peopleOf}). Weights, devices, roles and secrets are never included. The result shares
 * nothing with the model, so callers may change it freely.
 * Throws a RangeError when `scope` is not a node path (scopes are checked when the model loads,
 * so this is a programming error).
 */
export function modelView(model: Model, scope: string): ModelView {
  if (!model.nodes.has(scope)) throw new RangeError(`modelView: no node has the path "${scope}"`);
  const nodes: NodeView[] = [];
  for (const n of model.nodes.values()) {
    if (!inScope(scope, n.path)) continue;
    const levels: Record<string, Levels> = {};
    for (const [id, l] of Object.entries(n.levels)) levels[id] = { ...l };
    const v: NodeView = {
      path: n.path,
      name: n.name,
      depth: n.depth,
      children: [...n.children],
      correctionWindowSec: n.correctionWindowSec,
      levels,
    };
    if (n.level !== undefined) v.level = n.level;
    if (n.parent !== undefined && n.path !== scope) v.parent = n.parent;
    nodes.push(v);
  }
  return {
    name: model.name,
    scope,
    levels: [...model.levels],
    indicators: model.indicators.map((i) => ({ ...i })),
    nodes,
    people: peopleOf(model, scope),
  };
}

/**
 * The users a caller scoped to `scope` meets on its alerts: those whose scope lies in its subtree
 * or on its path to the root (they may act on, or be assigned, alerts it sees), in the model's
 * order, with their display names and scopes only.
 * @example peopleOf(m, 'valle/norte') // [{ name: 'planner', displayName: 'Regional planner', scope: 'valle' }, …]
 */
export function peopleOf(model: Model, scope: string): PersonView[] {
  const out: PersonView[] = [];
  for (const u of model.users.values()) {
    if (!inScope(scope, u.scope) && !inScope(u.scope, scope)) continue;
    out.push({ name: u.name, ...(u.displayName ? { displayName: u.displayName } : {}), scope: u.scope });
  }
  return out;
}

/**
 * The view with each node's live values attached (`values`, in the order given), and `valuesAt`.
 * Updates for nodes outside the view are ignored; a node without any gets `values: []`. The view
 * is changed in place and returned.
 * @example withLiveValues(modelView(m, 'valle/norte'), live.snapshot(), now)
 *   // nodes[0].values = [{ node: 'valle/norte', indicator: 'output', value: 612, productivity: 0.99, … }, …]
 */
export function withLiveValues(view: ModelView, updates: readonly IndicatorUpdate[], at: number): ModelView {
  const byNode = new Map<string, IndicatorUpdate[]>();
  for (const n of view.nodes) byNode.set(n.path, (n.values = []));
  for (const u of updates) byNode.get(u.node)?.push(u);
  view.valuesAt = at;
  return view;
}
