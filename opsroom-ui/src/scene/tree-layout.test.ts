import { describe, expect, it } from '@jest/globals';
import { modelOf, VALLE } from '../test-support/fixtures.js';
import { layoutTree } from './tree-layout.js';

const at = (l: ReturnType<typeof layoutTree>, path: string) => {
  const i = l.index.get(path) as number;
  return [l.positions[i * 3], l.positions[i * 3 + 1], l.positions[i * 3 + 2]] as [number, number, number];
};

describe('layoutTree', () => {
  const opts = { layerGap: 3, ringGap: 2 };

  it('puts the root at the origin and each level one layer lower on a wider ring', () => {
    const l = layoutTree(VALLE.nodes, 'valle', opts);
    expect(at(l, 'valle')).toEqual([0, 0, 0]);
    for (const path of ['valle/norte', 'valle/sur']) {
      const [x, y, z] = at(l, path);
      expect(y).toBe(-3);
      expect(Math.hypot(x, z)).toBeCloseTo(2, 5);
    }
    const [x, y, z] = at(l, 'valle/norte/lana/taller-1');
    expect(y).toBe(-9);
    expect(Math.hypot(x, z)).toBeCloseTo(6, 5);
    expect(l.maxDepth).toBe(3);
    expect(l.maxRadius).toBeCloseTo(6, 5);
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

  it('gives each subtree an arc in proportion to its leaves, so siblings do not overlap', () => {
    // norte has 2 leaves, sur 1: norte's arc is 0..4π/3 (middle 2π/3), sur's 4π/3..2π (middle 5π/3).
    const l = layoutTree(VALLE.nodes, 'valle', opts);
    const angle = (p: string) => {
      const [x, , z] = at(l, p);
      return (Math.atan2(z, x) + 2 * Math.PI) % (2 * Math.PI);
    };
    expect(angle('valle/norte')).toBeCloseTo((2 * Math.PI) / 3, 5);
    expect(angle('valle/sur')).toBeCloseTo((5 * Math.PI) / 3, 5);
    expect(angle('valle/norte/lana/taller-1')).toBeLessThan(angle('valle/norte/lana/taller-2'));
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
