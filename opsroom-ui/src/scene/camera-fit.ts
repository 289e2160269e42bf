/**
 * Fitting the camera to a subtree of the recursion: which instances make up the subtree, where
 * its middle is, and how far back a camera looking along a given direction must stand for every
 * node of it to be inside the view. Pure (no three.js) so that it can be tested in Node.
 */

/**
 * The end (exclusive) of the subtree that starts at instance `i`: instances are in depth-first
 * order, so a subtree is the run of instances after it that are deeper than it.
 *
 * @example subtreeEnd(Uint16Array.of(0, 1, 2, 1), 1) // 3 (instance 1 and its child 2)
 */
export function subtreeEnd(depths: ArrayLike<number>, i: number): number {
  const d = depths[i] as number;
  let j = i + 1;
  while (j < depths.length && (depths[j] as number) > d) j++;
  return j;
}

/**
 * Middle of the bounding box of instances [from, to) of an x, y, z array, written to `out`.
 *
 * @example boxCentre(Float32Array.of(0, 0, 0, 4, -2, 0), 0, 2, out) // out = [2, -1, 0]
 */
export function boxCentre(positions: ArrayLike<number>, from: number, to: number, out: Float64Array): void {
  let x0 = Infinity;
  let y0 = Infinity;
  let z0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let z1 = -Infinity;
  for (let i = from; i < to; i++) {
    const x = positions[i * 3] as number;
    const y = positions[i * 3 + 1] as number;
    const z = positions[i * 3 + 2] as number;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
    z0 = Math.min(z0, z);
    z1 = Math.max(z1, z);
  }
  out[0] = (x0 + x1) / 2;
  out[1] = (y0 + y1) / 2;
  out[2] = (z0 + z1) / 2;
}

/** A camera's view for fitting: its axes (unit vectors) and the tangents of its half angles. */
export interface FitView {
  /** The camera's right and up axes, and the direction from the target back to the camera. */
  right: readonly [number, number, number];
  up: readonly [number, number, number];
  back: readonly [number, number, number];
  /** tan of half the horizontal and vertical field of view. */
  tanH: number;
  tanV: number;
  /** Share of the view the subtree may take, 0..1 (the rest is room for labels). */
  fill: number;
}

/**
 * How far from `centre` (along `view.back`) the camera must stand so that every node of
 * instances [from, to) — a sphere of radius `sizes[i]` at each position — is inside the view,
 * and at least `minDistance`.
 *
 * @example
 * // One node 3 units right of the centre, a 90° view (tan 1) filled to 50%: 6 units back.
 * fitDistance(Float32Array.of(3, 0, 0), Float32Array.of(0), 0, 1, [0, 0, 0],
 *   { right: [1, 0, 0], up: [0, 1, 0], back: [0, 0, 1], tanH: 1, tanV: 1, fill: 0.5 }, 0) // 6
 */
export function fitDistance(
  positions: ArrayLike<number>,
  sizes: ArrayLike<number>,
  from: number,
  to: number,
  centre: ArrayLike<number>,
  view: FitView,
  minDistance: number,
): number {
  const [rx, ry, rz] = view.right;
  const [ux, uy, uz] = view.up;
  const [bx, by, bz] = view.back;
  const th = view.tanH * view.fill;
  const tv = view.tanV * view.fill;
  let d = minDistance;
  for (let i = from; i < to; i++) {
    const x = (positions[i * 3] as number) - (centre[0] as number);
    const y = (positions[i * 3 + 1] as number) - (centre[1] as number);
    const z = (positions[i * 3 + 2] as number) - (centre[2] as number);
    const s = sizes[i] as number;
    const a = Math.abs(x * rx + y * ry + z * rz) + s;
    const b = Math.abs(x * ux + y * uy + z * uz) + s;
    const f = x * bx + y * by + z * bz + s; // towards the camera
    d = Math.max(d, f + a / th, f + b / tv);
  }
  return d;
}

/**
 * Moves `centre` (in place) across the view so that the subtree seen from `distance` away sits in
 * the middle of the view: seen in perspective, the near side of a structure looks larger than
 * its far side, so the middle of its box is not the middle of its picture. Returns the shift.
 *
 * @example
 * // Two nodes at x = 0 and x = 4, looked at from 10 units away around x = 0: moves to x = 2.
 * centreInView(Float32Array.of(0, 0, 0, 4, 0, 0), Float32Array.of(0, 0), 0, 2, centre, view, 10)
 */
export function centreInView(
  positions: ArrayLike<number>,
  sizes: ArrayLike<number>,
  from: number,
  to: number,
  centre: Float64Array,
  view: FitView,
  distance: number,
): number {
  const [rx, ry, rz] = view.right;
  const [ux, uy, uz] = view.up;
  const [bx, by, bz] = view.back;
  let a0 = Infinity;
  let a1 = -Infinity;
  let b0 = Infinity;
  let b1 = -Infinity;
  for (let i = from; i < to; i++) {
    const x = (positions[i * 3] as number) - (centre[0] as number);
    const y = (positions[i * 3 + 1] as number) - (centre[1] as number);
    const z = (positions[i * 3 + 2] as number) - (centre[2] as number);
    const s = sizes[i] as number;
    const depth = Math.max(1e-3, distance - (x * bx + y * by + z * bz));
    const a = (x * rx + y * ry + z * rz) / depth;
    const b = (x * ux + y * uy + z * uz) / depth;
    const ds = s / depth;
    a0 = Math.min(a0, a - ds);
    a1 = Math.max(a1, a + ds);
    b0 = Math.min(b0, b - ds);
    b1 = Math.max(b1, b + ds);
  }
  if (!Number.isFinite(a0)) return 0;
  // The picture's middle, as tangents, back to scene units at the target's depth.
  const sa = ((a0 + a1) / 2) * distance;
  const sb = ((b0 + b1) / 2) * distance;
  centre[0] = (centre[0] as number) + sa * rx + sb * ux;
  centre[1] = (centre[1] as number) + sa * ry + sb * uy;
  centre[2] = (centre[2] as number) + sa * rz + sb * uz;
  return Math.hypot(sa, sb);
}
