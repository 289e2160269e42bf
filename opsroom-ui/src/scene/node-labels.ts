import type { PerspectiveCamera } from 'three';
import type { NodeState } from '@opsroom/models';
import { stateGlyph } from '../panels/state-glyph.js';
import { subtreeEnd } from './camera-fit.js';
import { placeLabels } from './label-placement.js';
import type { TreeLayout } from './tree-layout.js';
import { t } from '../i18n/i18n.js';

/** Font of a name tag; the focused node's is larger and bold (never below 12 px: readable). */
const FONT = '500 12px system-ui, sans-serif';
const FOCUS_FONT = '600 14px system-ui, sans-serif';
/** Height of a tag, and its padding and border, pixels (styles.css `.room-label` draws the same). */
const TAG_HEIGHT = 18;
const FOCUS_TAG_HEIGHT = 22;
const TAG_PAD = 5;
const TAG_BORDER = 1;
/** A tag that fits nowhere at full length is tried cut to this width (ellipsis; the title holds the name). */
const SHORT_TAG = 76;
/** At most this many tags at once (a big organisation: the list names the rest). */
export const MAX_LABELS = 160;
/**
 * Only this many nodes, the most important first, are tried for a tag (in a crowded view the
 * rest would not fit anyway); bounds the time of a placement on a big organisation.
 */
const MAX_TRIES = 1_500;
/** A node disc smaller than this (pixels) does not push tags away: it is a dot. */
const MIN_DISC_PX = 1.5;

/**
 * Order of importance: the focused node, its children, crises, alerts, the rest of its subtree,
 * its ancestors, others.
 */
const TIER_FOCUS = 0;
const TIER_CHILD = 1;
const TIER_CRISIS = 2;
const TIER_ALERT = 3;
const TIER_SUBTREE = 4;
const TIER_ANCESTOR = 5;
const TIER_OTHER = 6;

/** What a tag says about one node. */
export interface LabelNode {
  name: string;
  state: NodeState;
}

/**
 * Name tags over the 3D room, placed again whenever the view changes: every node on screen is
 * projected, the nodes are sorted by importance (the focused node, its children, crises and
 * alerts, then level and distance), and each gets a tag at the first spot around it that stays
 * in the view and clear of the tags already placed and of the other nodes' spheres
 * (label-placement.ts). HTML tags at a fixed font size: crisp and readable at any distance, and
 * a click on one focuses its node.
 *
 * The overlay tells tests what it did: `data-focus` (the focus it placed for), `data-on-screen`
 * (nodes in the view), `data-labelled` (tags placed), `data-unlabelled` (the first few nodes on
 * screen left without a tag) and `data-place-ms` (time of the last placement).
 */
export class NodeLabels {
  readonly element = document.createElement('div');
  private readonly n: number;
  private readonly names: string[];
  private readonly states: NodeState[];
  private readonly tier: Uint8Array;
  private readonly widths: Float32Array;
  private readonly shortWidths: Float32Array;
  private readonly heights: Float32Array;
  private readonly lastSlot: Int8Array;
  // Per-placement scratch, sized once.
  private readonly sx: Float32Array;
  private readonly sy: Float32Array;
  private readonly sr: Float32Array;
  private readonly keys: Float64Array;
  private readonly onScreen: number[] = [];
  private readonly discs: number[] = [];
  private readonly pool: HTMLDivElement[] = [];
  private readonly measure: CanvasRenderingContext2D | null;
  private focusIndex = -1;
  private dirty = true;
  /** The camera's matrices at the last placement: placed again only when they change. */
  private readonly lastView = new Float64Array(32);
  private lastWidth = 0;
  private lastHeight = 0;
  /** Rectangles to keep clear (the toolbar), relative to the view. */
  private reserved: number[] = [];

  constructor(
    private readonly layout: TreeLayout,
    private readonly sizes: Float32Array,
    private readonly onFocus: (path: string) => void,
  ) {
    const n = layout.order.length;
    this.n = n;
    this.names = layout.order.slice();
    this.states = new Array<NodeState>(n).fill('normal');
    this.tier = new Uint8Array(n).fill(TIER_OTHER);
    this.widths = new Float32Array(n).fill(NaN);
    this.shortWidths = new Float32Array(n);
    this.heights = new Float32Array(n).fill(TAG_HEIGHT);
    this.lastSlot = new Int8Array(n).fill(-1);
    this.sx = new Float32Array(n);
    this.sy = new Float32Array(n);
    this.sr = new Float32Array(n);
    this.keys = new Float64Array(n);
    this.measure = document.createElement('canvas').getContext('2d');
    this.element.className = 'room-labels';
    this.element.setAttribute('aria-hidden', 'true'); // the node list names every node for assistive technology
    this.element.addEventListener('click', this.onClick);
  }

  /** Set a node's name and state (a changed state re-sorts and re-places the tags). */
  setNode(path: string, label: LabelNode): void {
    const i = this.layout.index.get(path);
    if (i === undefined) return;
    if (this.names[i] === label.name && this.states[i] === label.state) return;
    this.names[i] = label.name;
    this.states[i] = label.state;
    this.widths[i] = NaN;
    this.dirty = true;
  }

  /** The focused node: its tag comes first, then its children's. */
  setFocus(path: string | null): void {
    const next = path ? (this.layout.index.get(path) ?? -1) : -1;
    if (next === this.focusIndex) return;
    // The focused tag has its own font: both tags are measured again.
    if (this.focusIndex >= 0) this.widths[this.focusIndex] = NaN;
    if (next >= 0) this.widths[next] = NaN;
    this.focusIndex = next;
    this.dirty = true;
  }

  /** True when names, states, focus or reserved space changed since the last placement. */
  get needsPlace(): boolean {
    return this.dirty;
  }

  /** Keep tags clear of these rectangles ([x, y, w, h] quadruples, pixels of the view). */
  setReserved(rects: number[]): void {
    this.reserved = rects;
    this.dirty = true;
  }

  /** Place the tags for the camera's current view, if it or the nodes changed since last time. */
  place(camera: PerspectiveCamera, width: number, height: number): void {
    if (!this.dirty && width === this.lastWidth && height === this.lastHeight && this.sameView(camera)) return;
    const t0 = performance.now();
    this.dirty = false;
    this.lastWidth = width;
    this.lastHeight = height;
    this.rememberView(camera);
    this.rank();
    this.project(camera, width, height);
    const order = this.onScreen;
    const keys = this.keys;
    order.sort((a, b) => (keys[a] as number) - (keys[b] as number));
    const tries = Math.min(order.length, MAX_TRIES);
    for (let k = 0; k < tries; k++)
      if (Number.isNaN(this.widths[order[k] as number] as number)) this.measureTag(order[k] as number);
    const discs = this.discs;
    discs.length = 0;
    for (const i of order) if ((this.sr[i] as number) >= MIN_DISC_PX) discs.push(i);
    const result = placeLabels({
      order,
      count: tries,
      x: this.sx,
      y: this.sy,
      r: this.sr,
      w: this.widths,
      wShort: this.shortWidths,
      h: this.heights,
      lastSlot: this.lastSlot,
      discs,
      discCount: discs.length,
      width,
      height,
      reserved: this.reserved,
      maxLabels: MAX_LABELS,
    });
    this.lastSlot.fill(-1);
    for (const i of result.placed) this.lastSlot[i] = result.slot[i] as number;
    this.draw(result.placed, result.left, result.top, result.width);
    this.element.dataset.onScreen = String(order.length);
    this.element.dataset.labelled = String(result.placed.length);
    this.element.dataset.placeMs = (performance.now() - t0).toFixed(2);
    this.element.dataset.focus = this.focusIndex >= 0 ? this.layout.order[this.focusIndex] : '';
    // The first few nodes on screen left without a tag, for tests and diagnostics.
    const missing: string[] = [];
    for (let k = 0; k < order.length && missing.length < 8; k++) {
      const i = order[k] as number;
      if (result.slot[i] === -1) missing.push(this.layout.order[i] as string);
    }
    this.element.dataset.unlabelled = missing.join(' ');
  }

  dispose(): void {
    this.element.removeEventListener('click', this.onClick);
    this.element.remove();
    this.pool.length = 0;
  }

  private readonly onClick = (e: MouseEvent): void => {
    const path = (e.target as HTMLElement).closest<HTMLElement>('[data-path]')?.dataset.path;
    if (path) this.onFocus(path);
  };

  /** Importance tier of every node for the current focus and states. */
  private rank(): void {
    const f = this.focusIndex;
    const { parents, depths } = this.layout;
    const end = f >= 0 ? subtreeEnd(depths, f) : this.n;
    this.tier.fill(TIER_OTHER);
    for (let i = 0; i < this.n; i++) {
      const st = this.states[i];
      if (st === 'crisis') this.tier[i] = TIER_CRISIS;
      else if (st === 'alert') this.tier[i] = TIER_ALERT;
      else if (f < 0 || (i > f && i < end)) this.tier[i] = TIER_SUBTREE;
    }
    if (f < 0) return;
    for (let p = parents[f] as number; p >= 0; p = parents[p] as number)
      this.tier[p] = Math.min(this.tier[p] as number, TIER_ANCESTOR);
    for (let i = f + 1; i < end; i++) if (parents[i] === f) this.tier[i] = TIER_CHILD;
    this.tier[f] = TIER_FOCUS;
  }

  /** Screen position, disc radius and sort key of every node in the view; fills {@link onScreen}. */
  private project(camera: PerspectiveCamera, width: number, height: number): void {
    const m = camera.matrixWorldInverse.elements;
    const p = camera.projectionMatrix.elements;
    const pos = this.layout.positions;
    const depths = this.layout.depths;
    const halfW = width / 2;
    const halfH = height / 2;
    const near = camera.near;
    this.onScreen.length = 0;
    for (let i = 0; i < this.n; i++) {
      const x = pos[i * 3] as number;
      const y = pos[i * 3 + 1] as number;
      const z = pos[i * 3 + 2] as number;
      // View space (three.js matrices are column-major).
      const vx = (m[0] as number) * x + (m[4] as number) * y + (m[8] as number) * z + (m[12] as number);
      const vy = (m[1] as number) * x + (m[5] as number) * y + (m[9] as number) * z + (m[13] as number);
      const vz = (m[2] as number) * x + (m[6] as number) * y + (m[10] as number) * z + (m[14] as number);
      const dist = -vz;
      if (dist <= near) continue;
      const ndcX = ((p[0] as number) * vx) / dist;
      const ndcY = ((p[5] as number) * vy) / dist;
      if (ndcX < -1 || ndcX > 1 || ndcY < -1 || ndcY > 1) continue;
      this.sx[i] = (ndcX + 1) * halfW;
      this.sy[i] = (1 - ndcY) * halfH;
      this.sr[i] = ((p[5] as number) * (this.sizes[i] as number) * halfH) / dist;
      this.keys[i] = (this.tier[i] as number) * 1e8 + (depths[i] as number) * 1e5 + Math.min(dist, 9e4);
      this.onScreen.push(i);
    }
  }

  private measureTag(i: number): void {
    const focus = i === this.focusIndex;
    const text = this.text(i);
    let w = text.length * 7;
    if (this.measure) {
      this.measure.font = focus ? FOCUS_FONT : FONT;
      w = this.measure.measureText(text).width;
    }
    this.widths[i] = Math.ceil(w) + 2 * (TAG_PAD + TAG_BORDER) + 1;
    // The focused node's tag is never cut short.
    this.shortWidths[i] = focus ? (this.widths[i] as number) : Math.min(this.widths[i] as number, SHORT_TAG);
    this.heights[i] = focus ? FOCUS_TAG_HEIGHT : TAG_HEIGHT;
  }

  private text(i: number): string {
    const st = this.states[i] as NodeState;
    const name = this.names[i] as string;
    return st === 'normal' ? name : `${stateGlyph(st)} ${name} · ${t(`state.${st}`)}`;
  }

  /** Show the placed tags, reusing elements; only what changed is written to the DOM. */
  private draw(placed: readonly number[], left: Float32Array, top: Float32Array, width: Float32Array): void {
    const f = this.focusIndex;
    for (let k = 0; k < placed.length; k++) {
      const i = placed[k] as number;
      let el = this.pool[k];
      if (!el) {
        el = document.createElement('div');
        this.pool.push(el);
        this.element.appendChild(el);
      }
      const path = this.layout.order[i] as string;
      const st = this.states[i] as NodeState;
      const tier = this.tier[i] as number;
      const cls = `room-label state-${st}${i === f ? ' focus' : ''}${tier >= TIER_ANCESTOR ? ' outside' : ''}`;
      if (el.className !== cls) el.className = cls;
      const text = this.text(i);
      if (el.dataset.path !== path || el.textContent !== text) {
        el.dataset.path = path;
        el.textContent = text;
        el.title = text;
      }
      el.hidden = false;
      el.style.transform = `translate(${left[i] as number}px, ${top[i] as number}px)`;
      el.style.width = `${width[i] as number}px`;
      el.style.height = `${this.heights[i] as number}px`;
    }
    for (let k = placed.length; k < this.pool.length; k++) (this.pool[k] as HTMLDivElement).hidden = true;
  }

  private sameView(camera: PerspectiveCamera): boolean {
    const a = camera.matrixWorldInverse.elements;
    const b = camera.projectionMatrix.elements;
    for (let k = 0; k < 16; k++) if (this.lastView[k] !== a[k] || this.lastView[16 + k] !== b[k]) return false;
    return true;
  }

  private rememberView(camera: PerspectiveCamera): void {
    this.lastView.set(camera.matrixWorldInverse.elements, 0);
    this.lastView.set(camera.projectionMatrix.elements, 16);
  }
}
