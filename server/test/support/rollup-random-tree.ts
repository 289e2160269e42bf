import { mulberry32, type IndicatorDef, type Model, type ModelNode, type RollupRule } from '@opsroom/models';

/**
 * Random organisations for the roll-up property tests: a seeded PRNG and a generator of trees of
 * random depth and fan-out, with one device per leaf and a random `members` weight on every node.
 * Deterministic: the same seed gives the same tree.
 */

export { mulberry32 };

/** An integer in [lo, hi], both included. */
export function randomInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** One indicator per roll-up rule; weighted_mean weighs by the `members` weight. */
export const RULE_INDICATORS: readonly IndicatorDef[] = [
  { id: 'total', name: 'Total', unit: 'u', rollup: 'sum' },
  { id: 'avg', name: 'Average', unit: 'u', rollup: 'mean' },
  { id: 'wavg', name: 'Weighted average', unit: 'u', rollup: 'weighted_mean', weight: 'members' },
  { id: 'low', name: 'Lowest', unit: 'u', rollup: 'min' },
  { id: 'high', name: 'Highest', unit: 'u', rollup: 'max' },
];

export interface RandomTreeOptions {
  /** The deepest a leaf may lie (the root is depth 0); default: random in 1..6. */
  maxDepth?: number;
  /** Most children of one node; each node gets 1..maxFanOut; default 6. */
  maxFanOut?: number;
  /** Stop adding nodes once the tree has this many (breadth first, so the tree stays bushy); default 400. */
  maxNodes?: number;
}

/** The device id of a leaf: `d-<path with / as .>` (device ids cannot hold `/`). */
export const deviceOf = (path: string): string => 'd-' + path.replaceAll('/', '.');

/**
 * A random model: depth up to `maxDepth`, fan-outs 1..`maxFanOut`, grown breadth first until
 * `maxNodes` (nodes left without children when the budget runs out are leaves, so leaves lie at
 * mixed depths). Every leaf has one device; every node a `members` weight in [0.5, 10).
 */
export function randomModel(rand: () => number, opts: RandomTreeOptions = {}): Model {
  const maxDepth = opts.maxDepth ?? randomInt(rand, 1, 6);
  const maxFanOut = opts.maxFanOut ?? 6;
  const maxNodes = opts.maxNodes ?? 400;
  const made: Array<{ path: string; depth: number; children: string[] }> = [{ path: 'n', depth: 0, children: [] }];
  const byPath = new Map(made.map((n) => [n.path, n]));
  for (let i = 0; i < made.length; i++) {
    const n = made[i]!;
    if (n.depth >= maxDepth) continue;
    const fan = randomInt(rand, 1, maxFanOut);
    for (let k = 0; k < fan && made.length < maxNodes; k++) {
      const child = { path: `${n.path}/c${k}`, depth: n.depth + 1, children: [] };
      n.children.push(child.path);
      made.push(child);
      byPath.set(child.path, child);
    }
  }
  const nodes = new Map<string, ModelNode>();
  const visit = (path: string, parent?: string) => {
    const n = byPath.get(path)!;
    const node: ModelNode = {
      path,
      id: path.slice(path.lastIndexOf('/') + 1),
      name: path,
      depth: n.depth,
      children: [...n.children],
      correctionWindowSec: 900,
      weights: { members: 0.5 + rand() * 9.5 },
      levels: {},
    };
    if (parent !== undefined) node.parent = parent;
    nodes.set(path, node);
    for (const c of n.children) visit(c, path);
  };
  visit('n');
  const devices = new Map<string, { id: string; node: string; secretHash: string }>();
  for (const n of nodes.values()) {
    if (n.children.length > 0) continue;
    const id = deviceOf(n.path);
    devices.set(id, { id, node: n.path, secretHash: 'scrypt$16384$8$1$x$y' });
  }
  return { name: 'random', levels: [], indicators: [...RULE_INDICATORS], nodes, root: 'n', devices, users: new Map() };
}

/** The leaves under (or at) `path`. */
export function leavesUnder(model: Model, path: string): string[] {
  const node = model.nodes.get(path)!;
  return node.children.length === 0 ? [path] : node.children.flatMap((c) => leavesUnder(model, c));
}

/**
 * The reference roll-up, written independently of LiveModel: a node's value by `rule` over the
 * children that have one (a leaf's value is its own reading, or null when silent), and how many
 * children have none. Null means stale, never zero.
 * @example with leaves a=2, b=silent under r (rule sum): r -> { value: 2, missing: 1 }
 */
export function referenceRollup(
  model: Model,
  rule: RollupRule,
  weight: string | undefined,
  leafValue: (path: string) => number | null,
): Map<string, { value: number | null; missing: number }> {
  const out = new Map<string, { value: number | null; missing: number }>();
  const visit = (path: string): number | null => {
    const node = model.nodes.get(path)!;
    if (node.children.length === 0) {
      const v = leafValue(path);
      out.set(path, { value: v, missing: 0 });
      return v;
    }
    const vals: Array<{ v: number; w: number }> = [];
    let missing = 0;
    for (const c of node.children) {
      const v = visit(c);
      if (v === null) missing++;
      else vals.push({ v, w: weight ? model.nodes.get(c)!.weights[weight]! : 1 });
    }
    let value: number | null = null;
    if (vals.length > 0) {
      const xs = vals.map((x) => x.v);
      if (rule === 'sum') value = xs.reduce((s, x) => s + x, 0);
      else if (rule === 'mean') value = xs.reduce((s, x) => s + x, 0) / xs.length;
      else if (rule === 'weighted_mean')
        value = vals.reduce((s, x) => s + x.v * x.w, 0) / vals.reduce((s, x) => s + x.w, 0);
      else if (rule === 'min') value = Math.min(...xs);
      else value = Math.max(...xs);
    }
    out.set(path, { value, missing });
    return value;
  };
  visit(model.root);
  return out;
}
