import type { NodeView } from '@opsroom/models';

/** Distances of the recursion tree in scene units. */
export interface LayoutOptions {
  /** Vertical gap between two levels of the recursion. */
  layerGap: number;
  /** Radius added to the ring of each level below the root. */
  ringGap: number;
}

export const DEFAULT_LAYOUT: Readonly<LayoutOptions> = Object.freeze({ layerGap: 3, ringGap: 3.2 });

export interface TreeLayout {
  /** Node paths in instance order (depth-first from the root). */
  order: string[];
  /** Instance index of each path. */
  index: Map<string, number>;
  /** x, y, z per instance. */
  positions: Float32Array;
  /** Depth below the root per instance (0 at the root). */
  depths: Uint16Array;
  /** Index of the parent per instance, -1 at the root. */
  parents: Int32Array;
  /** Deepest level below the root. */
  maxDepth: number;
  /** Largest ring radius, for fitting the camera. */
  maxRadius: number;
}

/**
 * Lays the recursion out as a cone of rings: the root at the top (y = 0), each level one
 * `layerGap` lower on a ring of radius `depth × ringGap`. Each node gets an arc of its parent's
 * arc in proportion to the leaves under it, and sits at the middle of its arc, so subtrees never
 * overlap and siblings stay together.
 *
 * @example
 * // root r with children a, b (leaves): r at (0,0,0); a at angle π/2, b at 3π/2, both at y = -3
 * layoutTree(nodes, 'r').positions // [0,0,0, ~0,-3,3.2, ~0,-3,-3.2]
 */
export function layoutTree(nodes: readonly NodeView[], root: string, opts: LayoutOptions = DEFAULT_LAYOUT): TreeLayout {
  const byPath = new Map(nodes.map((n) => [n.path, n] as const));
  const order: string[] = [];
  const index = new Map<string, number>();
  const leaves = new Map<string, number>();

  // Depth-first order from the root, iteratively (no recursion limit on deep models).
  const rootNode = byPath.get(root);
  if (rootNode) {
    const stack: string[] = [root];
    while (stack.length > 0) {
      const path = stack.pop() as string;
      if (index.has(path)) continue; // defensive: a malformed model with a cycle
      index.set(path, order.length);
      order.push(path);
      const kids = (byPath.get(path)?.children ?? []).filter((c) => byPath.has(c));
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as string);
    }
    // Leaf counts bottom-up (reverse depth-first order visits children before parents).
    for (let i = order.length - 1; i >= 0; i--) {
      const path = order[i] as string;
      const kids = childrenOf(byPath, index, path);
      leaves.set(path, kids.length === 0 ? 1 : kids.reduce((s, c) => s + (leaves.get(c) ?? 1), 0));
    }
  }

  const n = order.length;
  const positions = new Float32Array(n * 3);
  const depths = new Uint16Array(n);
  const parents = new Int32Array(n).fill(-1);
  const arcFrom = new Float64Array(n);
  const arcTo = new Float64Array(n);
  let maxDepth = 0;
  let maxRadius = 0;
  if (n > 0) {
    arcFrom[0] = 0;
    arcTo[0] = Math.PI * 2;
  }
  for (let i = 0; i < n; i++) {
    const path = order[i] as string;
    const depth = i === 0 ? 0 : (depths[parents[i] as number] as number) + 1;
    depths[i] = depth;
    const angle = ((arcFrom[i] as number) + (arcTo[i] as number)) / 2;
    const radius = depth * opts.ringGap;
    positions[i * 3] = radius * Math.cos(angle) + 0; // + 0 turns -0 (root: 0 × cos π) into 0
    positions[i * 3 + 1] = 0 - depth * opts.layerGap; // 0 - 0 is +0 at the root
    positions[i * 3 + 2] = radius * Math.sin(angle) + 0;
    maxDepth = Math.max(maxDepth, depth);
    maxRadius = Math.max(maxRadius, radius);

    const kids = childrenOf(byPath, index, path);
    const total = leaves.get(path) ?? 1;
    let from = arcFrom[i] as number;
    const span = (arcTo[i] as number) - from;
    for (const kid of kids) {
      const k = index.get(kid) as number;
      const share = (span * (leaves.get(kid) ?? 1)) / total;
      parents[k] = i;
      arcFrom[k] = from;
      arcTo[k] = from + share;
      from += share;
    }
  }
  return { order, index, positions, depths, parents, maxDepth, maxRadius };
}

function childrenOf(byPath: Map<string, NodeView>, index: Map<string, number>, path: string): string[] {
  return (byPath.get(path)?.children ?? []).filter((c) => index.has(c) && byPath.has(c));
}
