import { describe, expect, it } from '@jest/globals';
import { placeLabels, rectHitsDisc, rectsOverlap, slotPosition, type PlacementInput } from './label-placement.js';

/** A placement input for nodes at the given points, each with a `w` × 16 label and a disc of radius 2. */
function input(points: [number, number][], w = 60, extra: Partial<PlacementInput> = {}): PlacementInput {
  return {
    order: points.map((_, i) => i),
    count: points.length,
    x: points.map((p) => p[0]),
    y: points.map((p) => p[1]),
    r: points.map(() => 2),
    w: points.map(() => w),
    h: points.map(() => 16),
    discs: points.map((_, i) => i),
    discCount: points.length,
    width: 400,
    height: 200,
    ...extra,
  };
}

function rects(p: ReturnType<typeof placeLabels>, inp: PlacementInput): [number, number, number, number][] {
  return p.placed.map((i) => [p.left[i] as number, p.top[i] as number, p.width[i] as number, inp.h[i] as number]);
}

describe('slotPosition', () => {
  it('puts a label right of, left of, above and below its node, clear of its disc', () => {
    const out = new Float64Array(2);
    slotPosition(0, 100, 50, 4, 60, 16, out);
    expect([...out]).toEqual([107, 42]);
    slotPosition(1, 100, 50, 4, 60, 16, out);
    expect([...out]).toEqual([33, 42]);
    slotPosition(2, 100, 50, 4, 60, 16, out);
    expect([...out]).toEqual([70, 27]);
    slotPosition(3, 100, 50, 4, 60, 16, out);
    expect([...out]).toEqual([70, 57]);
  });
  it('tries the same eight spots further out from slot 8 on', () => {
    const out = new Float64Array(2);
    slotPosition(8, 100, 50, 4, 60, 16, out);
    expect([...out]).toEqual([119, 42]);
  });
});

describe('placeLabels', () => {
  it('places every label of well separated nodes, none overlapping another or any node', () => {
    const inp = input([
      [50, 50],
      [200, 50],
      [350, 150],
    ]);
    const p = placeLabels(inp);
    expect(p.placed).toEqual([0, 1, 2]);
    const rs = rects(p, inp);
    for (const [i, a] of rs.entries()) {
      for (const b of rs.slice(i + 1)) expect(rectsOverlap(...a, ...b)).toBe(false);
      for (let k = 0; k < 3; k++) expect(rectHitsDisc(...a, inp.x[k] as number, inp.y[k] as number, 2)).toBe(false);
    }
  });
  it('moves a label to another side when its first spot is taken, and keeps all inside the view', () => {
    const inp = input([
      [200, 100],
      [210, 100],
    ]);
    const p = placeLabels(inp);
    expect(p.placed).toEqual([0, 1]);
    const [a, b] = rects(p, inp) as [[number, number, number, number], [number, number, number, number]];
    expect(rectsOverlap(...a, ...b)).toBe(false);
    for (const [x, y, w, h] of [a, b]) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(400);
      expect(y + h).toBeLessThanOrEqual(200);
    }
  });
  it('places in priority order and skips a label that fits nowhere', () => {
    // Three nodes on one spot in a view with room for two labels only: left and right of it.
    const inp = input(
      [
        [50, 10],
        [50, 10],
        [50, 10],
      ],
      30,
      { width: 100, height: 20, discCount: 0 },
    );
    const p = placeLabels(inp);
    expect(p.placed).toEqual([0, 1]);
    expect(p.slot[2]).toBe(-1);
  });
  it('cuts a label to its short width when the full one fits nowhere', () => {
    const inp = input([[100, 10]], 300, { width: 200, height: 20, discCount: 0, wShort: [80] });
    const p = placeLabels(inp);
    expect(p.placed).toEqual([0]);
    expect(p.width[0]).toBe(80);
  });
  it('keeps clear of reserved rectangles (the toolbar) and stops at maxLabels', () => {
    const inp = input([[100, 50]], 60, { reserved: [100, 0, 300, 200] });
    const p = placeLabels(inp);
    expect(p.placed).toEqual([0]);
    expect((p.left[0] as number) + 60).toBeLessThanOrEqual(100);
    const many = input(
      Array.from({ length: 20 }, (_, i): [number, number] => [20 + (i % 4) * 100, 20 + Math.floor(i / 4) * 40]),
      30,
      { maxLabels: 5 },
    );
    expect(placeLabels(many).placed).toHaveLength(5);
  });
  it('tries the slot a label had last time first, so that labels do not jump', () => {
    const inp = input([[200, 100]], 60, { lastSlot: [3] });
    const p = placeLabels(inp);
    expect(p.slot[0]).toBe(3);
  });
});
