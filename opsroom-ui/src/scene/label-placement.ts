/**
 * Greedy label placement in screen space: labels are tried in priority order, each at a few
 * spots around its node (right, left, above, below, then the diagonals), and a label goes where
 * its rectangle stays inside the view and touches no label already placed and no node's disc.
 * A label that fits nowhere is skipped. A uniform grid of cells keeps each test local, so a
 * view with thousands of nodes places in a few milliseconds.
 *
 * Pure (no DOM, no three.js) so that it can be tested in Node.
 */

/** Pixel size of one grid cell. */
const CELL = 48;
/** Pixels between a node's disc and its label. */
const GAP = 3;
/** Spots tried around a node: right, left, above, below, the four diagonals; then the same eight further out, twice. */
export const SLOTS = 24;
/** How much further out (pixels) each eight spots are. */
const RINGS = [0, 12, 26] as const;

/** What the placer is told about the nodes on screen; every array is indexed by candidate. */
export interface PlacementInput {
  /** Candidates to consider, in the order they are tried (most important first). */
  order: ArrayLike<number>;
  /** How many entries of {@link order} to try. */
  count: number;
  /** Screen x, y of each node's centre and the radius of its disc, pixels (top-left origin). */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  r: ArrayLike<number>;
  /** Width and height of each node's label, pixels. */
  w: ArrayLike<number>;
  h: ArrayLike<number>;
  /**
   * A narrower width to try when the full label fits nowhere (the page cuts its text short with
   * an ellipsis; the full name stays in its title). Default: none.
   */
  wShort?: ArrayLike<number>;
  /** The slot each node's label had last time (tried first, so labels do not jump), -1 for none. */
  lastSlot?: ArrayLike<number>;
  /** Discs of every node on screen (labels avoid them); indexes into x, y, r. */
  discs: ArrayLike<number>;
  discCount: number;
  /** The view, pixels. */
  width: number;
  height: number;
  /** Rectangles labels must keep clear of (a toolbar), as [x, y, w, h] quadruples. */
  reserved?: readonly number[];
  /** Stop after this many labels. */
  maxLabels?: number;
  /**
   * The middle of what is looked at, pixels: a label first tries the side of its node facing
   * away from it (labels fan out instead of piling up in the middle). Default: the view's middle.
   */
  centreX?: number;
  centreY?: number;
}

/** Slot orders by the quadrant a node is in around the centre: outward first, inward last. */
const SLOT_ORDERS: readonly (readonly number[])[] = [
  [0, 4, 2, 5, 3, 6, 1, 7], // right of the centre, above it
  [0, 5, 3, 4, 2, 7, 1, 6], // right, below
  [1, 6, 2, 7, 3, 4, 0, 5], // left, above
  [1, 7, 3, 6, 2, 5, 0, 4], // left, below
];

export interface Placement {
  /** Candidates that got a label, in placement order. */
  placed: number[];
  /** Top-left corner, width and slot of each placed label, by candidate (only placed ones are set). */
  left: Float32Array;
  top: Float32Array;
  width: Float32Array;
  slot: Int8Array;
}

/**
 * Places the labels.
 *
 * @example
 * // Two nodes 10 px apart with 60 × 16 labels, right of the middle: the first goes to the right
 * // of its node, the second cannot (it would overlap) and goes above right.
 * placeLabels({ order: [0, 1], count: 2, x: [100, 110], y: [50, 50], r: [2, 2], w: [60, 60], h: [16, 16],
 *   discs: [], discCount: 0, width: 300, height: 100 }).placed // [0, 1]
 */
export function placeLabels(input: PlacementInput): Placement {
  const n = input.x.length;
  const left = new Float32Array(n);
  const top = new Float32Array(n);
  const width = new Float32Array(n);
  const slot = new Int8Array(n).fill(-1);
  const placed: number[] = [];
  const grid = new Grid(input.width, input.height);
  // Rectangles already taken: [x, y, w, h] per entry; discs: [x, y, r] per entry.
  const rects: number[] = [];
  const discs: number[] = [];
  const reserved = input.reserved ?? [];
  for (let i = 0; i + 3 < reserved.length; i += 4) {
    const id = rects.length / 4;
    rects.push(reserved[i] as number, reserved[i + 1] as number, reserved[i + 2] as number, reserved[i + 3] as number);
    grid.insert(
      id,
      reserved[i] as number,
      reserved[i + 1] as number,
      reserved[i + 2] as number,
      reserved[i + 3] as number,
    );
  }
  for (let k = 0; k < input.discCount; k++) {
    const c = input.discs[k] as number;
    const r = input.r[c] as number;
    const x = input.x[c] as number;
    const y = input.y[c] as number;
    const id = discs.length / 3;
    discs.push(x, y, r);
    grid.insertDisc(id, x - r, y - r, 2 * r, 2 * r);
  }
  const max = input.maxLabels ?? Infinity;
  const cx = input.centreX ?? input.width / 2;
  const cy = input.centreY ?? input.height / 2;
  const spot = new Float64Array(2);
  for (let k = 0; k < input.count && placed.length < max; k++) {
    const c = input.order[k] as number;
    const h = input.h[c] as number;
    const last = input.lastSlot?.[c] ?? -1;
    const slots = SLOT_ORDERS[
      ((input.x[c] as number) < cx ? 2 : 0) + ((input.y[c] as number) < cy ? 0 : 1)
    ] as number[];
    const full = input.w[c] as number;
    const short = Math.min(full, input.wShort?.[c] ?? full);
    for (let pass = 0; pass < (short < full ? 2 : 1) && slot[c] === -1; pass++) {
      const w = pass === 0 ? full : short;
      for (let t = -1; t < SLOTS; t++) {
        const s = t < 0 ? last : (slots[t % 8] as number) + 8 * Math.floor(t / 8);
        if (s < 0 || (t >= 0 && s === last)) continue;
        slotPosition(s, input.x[c] as number, input.y[c] as number, input.r[c] as number, w, h, spot);
        const x = spot[0] as number;
        const y = spot[1] as number;
        if (x < 0 || y < 0 || x + w > input.width || y + h > input.height) continue;
        if (grid.collides(x, y, w, h, rects, discs)) continue;
        const id = rects.length / 4;
        rects.push(x, y, w, h);
        grid.insert(id, x, y, w, h);
        left[c] = x;
        top[c] = y;
        width[c] = w;
        slot[c] = s;
        placed.push(c);
        break;
      }
    }
  }
  return { placed, left, top, width, slot };
}

/**
 * Top-left corner of a `w` × `h` label in slot `s` around a node at (x, y) of radius r, rounded
 * to whole pixels (what the page draws is what was tested). Slots 8 to 15 and 16 to 23 are 0 to 7 further out.
 *
 * @example slotPosition(0, 100, 50, 4, 60, 16, out) // out = [107, 42]: right of the node, centred
 */
export function slotPosition(
  s: number,
  x: number,
  y: number,
  r: number,
  w: number,
  h: number,
  out: Float64Array,
): void {
  const extra = RINGS[Math.floor(s / 8)] ?? 0;
  const d = r + GAP + extra;
  const e = r * Math.SQRT1_2 + GAP + extra * Math.SQRT1_2; // the diagonals start at the disc's 45° point
  let lx: number;
  let ly: number;
  switch (s % 8) {
    case 0: // right
      lx = x + d;
      ly = y - h / 2;
      break;
    case 1: // left
      lx = x - d - w;
      ly = y - h / 2;
      break;
    case 2: // above
      lx = x - w / 2;
      ly = y - d - h;
      break;
    case 3: // below
      lx = x - w / 2;
      ly = y + d;
      break;
    case 4: // above right
      lx = x + e;
      ly = y - e - h;
      break;
    case 5: // below right
      lx = x + e;
      ly = y + e;
      break;
    case 6: // above left
      lx = x - e - w;
      ly = y - e - h;
      break;
    default: // below left
      lx = x - e - w;
      ly = y + e;
  }
  out[0] = Math.round(lx);
  out[1] = Math.round(ly);
}

/** True when two rectangles share any area. */
export function rectsOverlap(
  ax: number,
  ay: number,
  aw: number,
  ah: number,
  bx: number,
  by: number,
  bw: number,
  bh: number,
): boolean {
  return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

/** True when a rectangle and a disc share any area. */
export function rectHitsDisc(x: number, y: number, w: number, h: number, cx: number, cy: number, r: number): boolean {
  const dx = cx - Math.max(x, Math.min(cx, x + w));
  const dy = cy - Math.max(y, Math.min(cy, y + h));
  return dx * dx + dy * dy < r * r;
}

/** Rectangles (ids >= 0) and discs (stored as -1 - id) by the grid cells they cover. */
class Grid {
  private readonly cols: number;
  private readonly rows: number;
  private readonly cells: number[][];

  constructor(width: number, height: number) {
    this.cols = Math.max(1, Math.ceil(width / CELL));
    this.rows = Math.max(1, Math.ceil(height / CELL));
    this.cells = Array.from({ length: this.cols * this.rows }, () => []);
  }

  insert(id: number, x: number, y: number, w: number, h: number): void {
    this.each(x, y, w, h, (cell) => cell.push(id));
  }

  insertDisc(id: number, x: number, y: number, w: number, h: number): void {
    this.each(x, y, w, h, (cell) => cell.push(-1 - id));
  }

  collides(x: number, y: number, w: number, h: number, rects: readonly number[], discs: readonly number[]): boolean {
    const c0 = this.col(x);
    const c1 = this.col(x + w);
    const r0 = this.row(y);
    const r1 = this.row(y + h);
    for (let r = r0; r <= r1; r++)
      for (let c = c0; c <= c1; c++) {
        const cell = this.cells[r * this.cols + c] as number[];
        for (const id of cell) {
          if (id >= 0) {
            const o = id * 4;
            if (
              rectsOverlap(
                x,
                y,
                w,
                h,
                rects[o] as number,
                rects[o + 1] as number,
                rects[o + 2] as number,
                rects[o + 3] as number,
              )
            )
              return true;
          } else {
            const o = (-1 - id) * 3;
            if (rectHitsDisc(x, y, w, h, discs[o] as number, discs[o + 1] as number, discs[o + 2] as number))
              return true;
          }
        }
      }
    return false;
  }

  private each(x: number, y: number, w: number, h: number, fn: (cell: number[]) => void): void {
    const c1 = this.col(x + w);
    const r1 = this.row(y + h);
    for (let r = this.row(y); r <= r1; r++)
      for (let c = this.col(x); c <= c1; c++) fn(this.cells[r * this.cols + c] as number[]);
  }

  private col(x: number): number {
    return Math.min(this.cols - 1, Math.max(0, Math.floor(x / CELL)));
  }

  private row(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor(y / CELL)));
  }
}
