import { describe, expect, it } from '@jest/globals';
import { edgeOpacity, MIN_NODE_SIZE, nodeSize, sphereDetail } from './recursion-tree.js';

describe('nodeSize', () => {
  it('shrinks by level and keeps a sparse ring at its level size', () => {
    expect(nodeSize(0, 1, 0)).toBeCloseTo(0.6);
    expect(nodeSize(1, 2, 3.2)).toBeCloseTo(0.5);
  });
  it('fits a crowded ring into a third of each node share, down to a visible dot', () => {
    expect(nodeSize(2, 50, 6.4)).toBeCloseTo((2 * Math.PI * 6.4) / 50 / 3, 5);
    expect(nodeSize(3, 5_000, 9.6)).toBe(MIN_NODE_SIZE);
  });
});

describe('sphereDetail', () => {
  it('coarsens the node sphere as the tree grows', () => {
    expect(sphereDetail(20)).toBe(2);
    expect(sphereDetail(1_000)).toBe(1);
    expect(sphereDetail(5_000)).toBe(0);
  });
});

describe('edgeOpacity', () => {
  it('fades the edges of a big tree so that its nodes stay visible', () => {
    expect(edgeOpacity(20)).toBe(0.55);
    expect(edgeOpacity(5_000)).toBeCloseTo(0.11, 2);
    expect(edgeOpacity(1e7)).toBe(0.08);
  });
});
