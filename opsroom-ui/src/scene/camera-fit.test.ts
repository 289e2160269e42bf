import { describe, expect, it } from '@jest/globals';
import { boxCentre, centreInView, fitDistance, subtreeEnd, type FitView } from './camera-fit.js';

const front: FitView = { right: [1, 0, 0], up: [0, 1, 0], back: [0, 0, 1], tanH: 1, tanV: 1, fill: 0.5 };

describe('subtreeEnd', () => {
  it('finds the run of deeper instances after a node in depth-first order', () => {
    const depths = Uint16Array.of(0, 1, 2, 2, 1, 2);
    expect(subtreeEnd(depths, 0)).toBe(6);
    expect(subtreeEnd(depths, 1)).toBe(4);
    expect(subtreeEnd(depths, 2)).toBe(3);
    expect(subtreeEnd(depths, 4)).toBe(6);
  });
});

describe('boxCentre', () => {
  it('is the middle of the bounding box of a range of instances', () => {
    const out = new Float64Array(3);
    boxCentre(Float32Array.of(0, 0, 0, 4, -2, 0, 9, 9, 9), 0, 2, out);
    expect([...out]).toEqual([2, -1, 0]);
  });
});

describe('fitDistance', () => {
  it('stands back far enough for the widest node, with the fill margin', () => {
    expect(fitDistance(Float32Array.of(3, 0, 0), Float32Array.of(0), 0, 1, [0, 0, 0], front, 0)).toBe(6);
  });
  it('counts node sizes and nodes nearer the camera, and keeps a minimum', () => {
    // A node 1 unit towards the camera and 3 units up with radius 1: its near side is at 2, and
    // 2 + (3 + 1) / 0.5 = 10.
    expect(fitDistance(Float32Array.of(0, 3, 1), Float32Array.of(1), 0, 1, [0, 0, 0], front, 0)).toBe(10);
    expect(fitDistance(Float32Array.of(0, 0, 0), Float32Array.of(0), 0, 1, [0, 0, 0], front, 5)).toBe(5);
  });
  it('puts every node inside the view', () => {
    const positions = Float32Array.of(-5, 2, 3, 4, -6, -2, 1, 1, 8, 0, 0, 0);
    const sizes = new Float32Array(4).fill(0.5);
    const d = fitDistance(positions, sizes, 0, 4, [0, 0, 0], front, 0);
    for (let i = 0; i < 4; i++) {
      const depth = d - (positions[i * 3 + 2] as number);
      expect(Math.abs(positions[i * 3] as number) + 0.5).toBeLessThanOrEqual(depth * 0.5 + 1e-9);
      expect(Math.abs(positions[i * 3 + 1] as number) + 0.5).toBeLessThanOrEqual(depth * 0.5 + 1e-9);
    }
  });
});

describe('centreInView', () => {
  it('moves the centre to the middle of the picture', () => {
    const centre = Float64Array.of(0, 0, 0);
    centreInView(Float32Array.of(0, 0, 0, 4, 0, 0), Float32Array.of(0, 0), 0, 2, centre, front, 10);
    expect(centre[0]).toBeCloseTo(2);
    expect(centre[1]).toBeCloseTo(0);
  });
  it('shifts towards the near side of a structure seen in perspective', () => {
    // Two nodes 4 units apart vertically, the lower one 4 units nearer the camera: it looks bigger.
    const centre = Float64Array.of(0, 0, 0);
    centreInView(Float32Array.of(0, 2, -2, 0, -2, 2), Float32Array.of(0, 0), 0, 2, centre, front, 10);
    expect(centre[1]).toBeLessThan(0);
  });
});
