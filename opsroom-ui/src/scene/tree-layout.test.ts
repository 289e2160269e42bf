import { describe, expect, it } from '@jest/globals';
import { modelOf, VALLE } from '../test-support/fixtures.js';
import { layoutTree } from './tree-layout.js';

const at = (l: ReturnType<typeof layoutTree>, path: string) => {
  const i = l.index.get(path) as number;
  return [l.positions[i * 3], l.positions[i * 3 + 1], l.positions[i * 3 + 2]] as [number, number, number];
};

describe('layoutTree', () => {
  const opts = { layerGap: 3, leafSpacing: 1, minRadius: 2 };
  const dist = (a: [number, number, number], b: [number, number, number]) => Math.hypot(a[0] - b[0], a[2] - b[2]);

  it('puts the root at the origin and the children of each node evenly round a circle one layer below it', () => {
    const l = layoutTree(VALLE.nodes, 'valle', opts);
    expect(at(l, 'valle')).toEqual([0, 0, 0]);
    const norte = at(l, 'valle/norte');
    const sur = at(l, 'valle/sur');
    expect(norte[1]).toBe(-3);
    expect(sur[1]).toBe(-3);
    // Two children: opposite each other, as far from the root as each other.
    expect(Math.hypot(norte[0], norte[2])).toBeCloseTo(Math.hypot(sur[0], sur[2]), 5);
    expect(dist(norte, sur)).toBeCloseTo(2 * Math.hypot(norte[0], norte[2]), 5);
    // An only child hangs straight below its parent; the leaves of lana circle it.
    const lana = at(l, 'valle/norte/lana');
    expect([lana[0], lana[2]]).toEqual([norte[0], norte[2]]);
    const t1 = at(l, 'valle/norte/lana/taller-1');
    const t2 = at(l, 'valle/norte/lana/taller-2');
    expect(t1[1]).toBe(-9);
    expect(dist(t1, lana)).toBeCloseTo(2, 5); // the smallest circle
    expect(dist(t1, lana)).toBeCloseTo(dist(t2, lana), 5);
    expect(l.maxDepth).toBe(3);
    expect(l.spacing[l.index.get('valle/norte/lana/taller-1') as number]).toBeCloseTo(4, 5);
  });

  it('keeps sibling subtrees apart however many leaves they have', () => {
    // 10 parents of 10 leaves each: no two leaves closer than the leaf spacing.
    const tree: Record<string, string[]> = { r: [] };
    for (let p = 0; p < 10; p++) {
      (tree.r as string[]).push(`r/p${p}`);
      tree[`r/p${p}`] = Array.from({ length: 10 }, (_, k) => `r/p${p}/l${k}`);
    }
    const l = layoutTree(modelOf(tree).nodes, 'r', { layerGap: 3, leafSpacing: 1, minRadius: 0.5 });
    const leaves = l.order.filter((p) => p.split('/').length === 3).map((p) => at(l, p));
    expect(leaves).toHaveLength(100);
    let closest = Infinity;
    for (let i = 0; i < leaves.length; i++)
      for (let j = i + 1; j < leaves.length; j++)
        closest = Math.min(closest, dist(leaves[i] as [number, number, number], leaves[j] as [number, number, number]));
    expect(closest).toBeGreaterThanOrEqual(1 - 1e-6);
  });

  it('orders instances depth-first from the root and records parents and depths', () => {
    const l = layoutTree(VALLE.nodes, 'valle', opts);
    expect(l.order).toEqual([
      'valle',
      'valle/norte',
      'valle/norte/lana',
      'valle/norte/lana/taller-1',
      'valle/norte/lana/taller-2',
      'valle/sur',
    ]);
    expect(Array.from(l.parents)).toEqual([-1, 0, 1, 2, 2, 0]);
    expect(Array.from(l.depths)).toEqual([0, 1, 2, 3, 3, 1]);
  });

  it('lays out only the subtree of the given root (a council scope)', () => {
    const l = layoutTree(VALLE.nodes, 'valle/norte', opts);
    expect(l.order[0]).toBe('valle/norte');
    expect(l.index.has('valle/sur')).toBe(false);
    expect(at(l, 'valle/norte')).toEqual([0, 0, 0]);
  });

  it('is empty for an unknown root and survives a child listed but missing', () => {
    expect(layoutTree(VALLE.nodes, 'nowhere').order).toEqual([]);
    const broken = modelOf({ r: ['r/a', 'r/ghost'] });
    const l = layoutTree(
      broken.nodes.filter((n) => n.path !== 'r/ghost'),
      'r',
    );
    expect(l.order).toEqual(['r', 'r/a']);
  });
});
