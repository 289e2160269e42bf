import { describe, expect, it } from '@jest/globals';
import { edgeOpacity, MIN_NODE_SIZE, nodeSize, sphereDetail } from './recursion-tree.js';

describe('nodeSize', () => {
  it('shrinks by level and keeps a lone or well spaced node at its level size', () => {
    expect(nodeSize(0, Infinity)).toBeCloseTo(0.5);
    expect(nodeSize(1, 6)).toBeCloseTo(0.42);
    expect(nodeSize(5, 10)).toBeCloseTo(0.2);
  });
  it('takes at most a quarter of the distance to the nearest sibling, down to a visible dot', () => {
    expect(nodeSize(3, 0.6)).toBeCloseTo(0.15, 5);
    expect(nodeSize(3, 0.01)).toBe(MIN_NODE_SIZE);
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
