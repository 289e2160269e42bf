import type { NodeView } from '@opsroom/models';

/** Distances of the recursion tree in scene units. */
export interface LayoutOptions {
  /** Vertical gap between two levels of the recursion. */
  layerGap: number;
  /** Distance between two neighbouring leaves of one parent (room for a sphere and its tag). */
  leafSpacing: number;
  /** The smallest circle a node's children are put on. */
  minRadius: number;
}

export const DEFAULT_LAYOUT: Readonly<LayoutOptions> = Object.freeze({ layerGap: 3, leafSpacing: 2, minRadius: 2.5 });

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
  /** Distance from each node to its nearest sibling (Infinity for an only child and the root). */
  spacing: Float32Array;
  /** Deepest level below the root. */
  maxDepth: number;
  /** Largest horizontal distance of a node from the root's axis, for fitting the camera and the floor. */
  maxRadius: number;
}

/**
 * Lays the recursion out as a cone tree: the root at the top (y = 0), each node's children evenly
 * round a circle one `layerGap` below it, the circle just wide enough that the discs their own
 * subtrees need do not overlap (a subtree never crosses another, at any size). A cooperative's ten
 * workshops stay a small ring under it, whether the organisation has 20 nodes or 5,000, so that
 * fitting the camera to any node's subtree shows it at a readable size.
 *
 * @example
 * // root r with two leaves a, b: r at (0,0,0); a and b on a circle of radius 2.5 at y = -3
 * layoutTree(nodes, 'r').positions // [0,0,0, ~0,-3,2.5, ~0,-3,-2.5]
 */
export function layoutTree(nodes: readonly NodeView[], root: string, opts: LayoutOptions = DEFAULT_LAYOUT): TreeLayout {
  const byPath = new Map(nodes.map((n) => [n.path, n] as const));
  const order: string[] = [];
  const index = new Map<string, number>();

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
  }

  const n = order.length;
  const kids: number[][] = order.map((path) => childrenOf(byPath, index, path).map((c) => index.get(c) as number));
  // Bottom-up (reverse depth-first order visits children before parents): the radius of the
  // circle of each node's children, and the radius of the disc its whole subtree needs.
  const ring = new Float64Array(n);
  const disc = new Float64Array(n);
  const spacing = new Float32Array(n).fill(Infinity);
  for (let i = n - 1; i >= 0; i--) {
    const ks = kids[i] as number[];
    let widest = 0;
    for (const k of ks) widest = Math.max(widest, disc[k] as number);
    // Neighbours on a circle of radius R, 2π/k apart, are 2R·sin(π/k) apart: room for two discs.
    const r = ks.length <= 1 ? 0 : Math.max(opts.minRadius, widest / Math.sin(Math.PI / ks.length));
    ring[i] = r;
    disc[i] = Math.max(opts.leafSpacing / 2, r + widest);
    if (ks.length > 1) for (const k of ks) spacing[k] = 2 * r * Math.sin(Math.PI / ks.length);
  }

  const positions = new Float32Array(n * 3);
  const depths = new Uint16Array(n);
  const parents = new Int32Array(n).fill(-1);
  let maxDepth = 0;
  let maxRadius = 0;
  for (let i = 0; i < n; i++) {
    const x = positions[i * 3] as number;
    const y = positions[i * 3 + 1] as number;
    const z = positions[i * 3 + 2] as number;
    maxDepth = Math.max(maxDepth, depths[i] as number);
    maxRadius = Math.max(maxRadius, Math.hypot(x, z));
    const ks = kids[i] as number[];
    const p = parents[i] as number;
    // Children are spread symmetrically about the direction away from the grandparent (half a step
    // off it), so that branches open outwards and two children sit across the branch, not along it.
    const away = p < 0 ? 0 : Math.atan2(z - (positions[p * 3 + 2] as number), x - (positions[p * 3] as number));
    const base = away + Math.PI / Math.max(1, ks.length);
    const r = ring[i] as number;
    ks.forEach((k, j) => {
      const angle = base + (2 * Math.PI * j) / ks.length;
      parents[k] = i;
      depths[k] = (depths[i] as number) + 1;
      positions[k * 3] = x + r * Math.cos(angle) + 0; // + 0 turns -0 into 0
      positions[k * 3 + 1] = y - opts.layerGap;
      positions[k * 3 + 2] = z + r * Math.sin(angle) + 0;
    });
  }
  return { order, index, positions, depths, parents, spacing, maxDepth, maxRadius };
}

function childrenOf(byPath: Map<string, NodeView>, index: Map<string, number>, path: string): string[] {
  return (byPath.get(path)?.children ?? []).filter((c) => index.has(c) && byPath.has(c));
}
