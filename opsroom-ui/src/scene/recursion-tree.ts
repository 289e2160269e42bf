import {
  BufferAttribute,
  BufferGeometry,
  Color,
  DynamicDrawUsage,
  Group,
  IcosahedronGeometry,
  InstancedMesh,
  LineBasicMaterial,
  LineSegments,
  Matrix4,
  Mesh,
  MeshBasicMaterial,
  MeshLambertMaterial,
  Quaternion,
  Raycaster,
  TorusGeometry,
  Vector2,
  Vector3,
  type Camera,
} from 'three';
import type { NodeState } from '@opsroom/models';
import { pulseRate } from './pulse.js';
import type { SceneObject } from './room.js';
import type { TreeLayout } from './tree-layout.js';

/** State colours: normal teal, alert amber, crisis red. */
export const STATE_COLOURS: Readonly<Record<NodeState, number>> = Object.freeze({
  normal: 0x2dd4bf,
  alert: 0xf59e0b,
  crisis: 0xef4444,
});
const STATE_CODE: Readonly<Record<NodeState, number>> = { normal: 0, alert: 1, crisis: 2 };
const CODE_STATE: readonly NodeState[] = ['normal', 'alert', 'crisis'];
/** The smallest node sphere, scene units. */
export const MIN_NODE_SIZE = 0.04;
/** Brightness of nodes outside the focused subtree. */
const DIM = 0.3;
/** How much a pulse swells a node (fraction of its size). */
const PULSE_AMPLITUDE = 0.35;

// Scratch values: no allocation in the frame loop or in picking.
const scratchMatrix = new Matrix4();
const scratchPosition = new Vector3();
const scratchScale = new Vector3();
const scratchQuaternion = new Quaternion();
const scratchColour = new Color();
const scratchPointer = new Vector2();
const raycaster = new Raycaster();

/**
 * The nodes of the user's scope as a 3D structure: the root at the top, each level of the
 * recursion a ring below its parent (see tree-layout.ts). One InstancedMesh holds every node;
 * colour shows its state, and a node in alert pulses faster as its deadline nears.
 */
export class RecursionTree implements SceneObject {
  readonly object = new Group();
  private readonly mesh: InstancedMesh;
  private readonly edges: LineSegments;
  private readonly focusRing: Mesh;
  private readonly cursorRing: Mesh;
  private readonly baseSize: Float32Array;
  private readonly states: Uint8Array;
  /** Deadline per node (ms since epoch), NaN when none. */
  private readonly deadlines: Float64Array;
  /** Correction window per node, ms. */
  private readonly windows: Float64Array;
  private readonly phases: Float32Array;
  private readonly inFocus: Uint8Array;
  /** 1 while a node's matrix holds its resting size (not pulsing): the frame loop skips it. */
  private readonly atRest: Uint8Array;
  private focusIndex = -1;
  private cursorIndex = -1;
  /** Colours, focus or cursor changed since the last frame. */
  private repaint = true;

  constructor(
    private readonly layout: TreeLayout,
    windowsSec: ReadonlyMap<string, number>,
  ) {
    const n = layout.order.length;
    this.baseSize = new Float32Array(n);
    this.states = new Uint8Array(n);
    this.deadlines = new Float64Array(n).fill(NaN);
    this.windows = new Float64Array(n);
    this.phases = new Float32Array(n);
    this.inFocus = new Uint8Array(n).fill(1);
    this.atRest = new Uint8Array(n).fill(1);
    // A node never takes more than a third of the distance to its nearest sibling.
    for (let i = 0; i < n; i++) {
      this.baseSize[i] = nodeSize(layout.depths[i] as number, layout.spacing[i] as number);
      this.windows[i] = (windowsSec.get(layout.order[i] as string) ?? 300) * 1000;
    }

    this.mesh = new InstancedMesh(
      new IcosahedronGeometry(1, sphereDetail(n)),
      new MeshLambertMaterial({ emissive: 0x0a2a2a }),
      Math.max(1, n),
    );
    this.mesh.count = n;
    this.mesh.instanceMatrix.setUsage(DynamicDrawUsage);
    for (let i = 0; i < n; i++) {
      this.writeMatrix(i, 1);
      this.mesh.setColorAt(i, scratchColour.setHex(STATE_COLOURS.normal));
    }
    this.mesh.computeBoundingSphere();
    this.object.add(this.mesh);

    // One segment from each node to its parent.
    const segments: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = layout.parents[i] as number;
      if (p < 0) continue;
      for (const k of [p, i])
        segments.push(
          layout.positions[k * 3] as number,
          layout.positions[k * 3 + 1] as number,
          layout.positions[k * 3 + 2] as number,
        );
    }
    const edgeGeometry = new BufferGeometry();
    edgeGeometry.setAttribute('position', new BufferAttribute(new Float32Array(segments), 3));
    this.edges = new LineSegments(
      edgeGeometry,
      new LineBasicMaterial({ color: 0x3b7d86, transparent: true, opacity: edgeOpacity(n) }),
    );
    this.object.add(this.edges);

    this.focusRing = new Mesh(new TorusGeometry(1, 0.05, 8, 48), new MeshBasicMaterial({ color: 0xe2f3f5 }));
    this.focusRing.rotation.x = Math.PI / 2;
    this.focusRing.visible = false;
    this.object.add(this.focusRing);
    this.cursorRing = new Mesh(new TorusGeometry(1, 0.04, 8, 48), new MeshBasicMaterial({ color: 0x7dd3fc }));
    this.cursorRing.rotation.x = Math.PI / 2;
    this.cursorRing.visible = false;
    this.object.add(this.cursorRing);
  }

  /** Set a node's state and the deadline its pulse counts down to. */
  setNode(path: string, state: NodeState, deadline: number | null): void {
    const i = this.layout.index.get(path);
    if (i === undefined) return;
    const code = STATE_CODE[state];
    const changed = this.states[i] !== code;
    this.states[i] = code;
    this.deadlines[i] = deadline ?? NaN;
    if (changed) this.paint(i);
  }

  /** Mark the focused node (a ring) and dim everything outside its subtree. */
  setFocus(path: string | null): void {
    this.focusIndex = path ? (this.layout.index.get(path) ?? -1) : -1;
    const n = this.layout.order.length;
    for (let i = 0; i < n; i++) {
      const p = this.layout.order[i] as string;
      this.inFocus[i] = !path || p === path || p.startsWith(path + '/') ? 1 : 0;
      this.paint(i);
    }
    this.placeRing(this.focusRing, this.focusIndex, 1.9);
  }

  /** Mark the keyboard cursor (a smaller ring). */
  setCursor(path: string | null): void {
    this.cursorIndex = path ? (this.layout.index.get(path) ?? -1) : -1;
    this.placeRing(this.cursorRing, this.cursorIndex, 1.6);
  }

  /** The resting radius of each node's sphere, by instance. */
  get sizes(): Float32Array {
    return this.baseSize;
  }

  /** Writes the position of a node into `out`; false when the node is not in the tree. */
  positionOf(path: string, out: Vector3): boolean {
    const i = this.layout.index.get(path);
    if (i === undefined) return false;
    out.fromArray(this.layout.positions, i * 3);
    return true;
  }

  /** The node under a point given in normalised device coordinates (-1..1), or null. */
  pick(ndcX: number, ndcY: number, camera: Camera): string | null {
    scratchPointer.set(ndcX, ndcY);
    raycaster.setFromCamera(scratchPointer, camera);
    const hit = raycaster.intersectObject(this.mesh, false)[0];
    return hit?.instanceId !== undefined ? (this.layout.order[hit.instanceId] ?? null) : null;
  }

  update(dt: number, now: number): boolean {
    const n = this.layout.order.length;
    let dirty = false;
    for (let i = 0; i < n; i++) {
      const code = this.states[i] as number;
      if (code === 0 && this.atRest[i] === 1) continue; // normal and already at rest: nothing to write
      const deadline = this.deadlines[i] as number;
      const rate = pulseRate(
        CODE_STATE[code] as NodeState,
        Number.isNaN(deadline) ? null : deadline,
        now,
        this.windows[i] as number,
      );
      let swell = 1;
      if (rate > 0) {
        this.phases[i] = ((this.phases[i] as number) + dt * rate) % 1;
        swell = 1 + PULSE_AMPLITUDE * 0.5 * (1 - Math.cos((this.phases[i] as number) * Math.PI * 2));
        this.atRest[i] = 0;
      } else {
        this.phases[i] = 0;
        this.atRest[i] = 1;
      }
      this.writeMatrix(i, swell);
      dirty = true;
    }
    if (dirty) this.mesh.instanceMatrix.needsUpdate = true;
    const changed = dirty || this.repaint;
    this.repaint = false;
    return changed;
  }

  private writeMatrix(i: number, swell: number): void {
    const size = (this.baseSize[i] as number) * swell;
    scratchPosition.fromArray(this.layout.positions, i * 3);
    scratchScale.set(size, size, size);
    scratchMatrix.compose(scratchPosition, scratchQuaternion.identity(), scratchScale);
    this.mesh.setMatrixAt(i, scratchMatrix);
  }

  private paint(i: number): void {
    scratchColour.setHex(STATE_COLOURS[CODE_STATE[this.states[i] as number] as NodeState]);
    if (!this.inFocus[i]) scratchColour.multiplyScalar(DIM);
    this.mesh.setColorAt(i, scratchColour);
    if (this.mesh.instanceColor) this.mesh.instanceColor.needsUpdate = true;
    this.repaint = true;
  }

  private placeRing(ring: Mesh, i: number, scale: number): void {
    this.repaint = true;
    ring.visible = i >= 0;
    if (i < 0) return;
    ring.position.fromArray(this.layout.positions, i * 3);
    const s = (this.baseSize[i] as number) * scale;
    ring.scale.set(s, s, s);
  }

  dispose(): void {
    this.mesh.geometry.dispose();
    (this.mesh.material as MeshLambertMaterial).dispose();
    this.mesh.dispose();
    this.edges.geometry.dispose();
    (this.edges.material as LineBasicMaterial).dispose();
    for (const ring of [this.focusRing, this.cursorRing]) {
      ring.geometry.dispose();
      (ring.material as MeshBasicMaterial).dispose();
    }
    this.object.clear();
  }
}

/**
 * Subdivisions of the node sphere for a tree of `n` nodes: smooth for a small organisation,
 * coarse for a big one, so the triangle count stays bounded (an icosahedron of detail d has
 * 20 × (d + 1)² faces).
 *
 * @example sphereDetail(20)    // 2 (180 faces each)
 * @example sphereDetail(5_000) // 0 (20 faces each: 100,000 in all)
 */
export function sphereDetail(n: number): number {
  if (n <= 300) return 2;
  if (n <= 1_500) return 1;
  return 0;
}

/**
 * The radius of a node sphere: 0.5 at the root, 0.08 smaller per level (at least 0.2), and never
 * more than a quarter of the distance to its nearest sibling, so that neighbours stay apart and
 * leaves do not balloon when the camera comes close; never less than {@link MIN_NODE_SIZE}.
 *
 * @example nodeSize(0, Infinity) // 0.5
 * @example nodeSize(1, 6)        // 0.42
 * @example nodeSize(3, 0.8)      // 0.2 (a quarter of 0.8)
 */
export function nodeSize(depth: number, spacing: number): number {
  const size = Math.max(0.2, 0.5 - depth * 0.08);
  return Math.max(MIN_NODE_SIZE, Math.min(size, spacing / 4));
}

/**
 * Opacity of the edges: 0.55 for a small tree, fainter as edges multiply (thousands of full
 * lines would hide the nodes), never below 0.08.
 *
 * @example edgeOpacity(20)    // 0.55
 * @example edgeOpacity(5_000) // ≈ 0.11
 */
export function edgeOpacity(n: number): number {
  return Math.max(0.08, Math.min(0.55, 0.55 * Math.sqrt(200 / Math.max(1, n))));
}
