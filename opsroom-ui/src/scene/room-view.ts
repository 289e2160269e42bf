import { nextDeadline, nodeState, topPriority, type RoomState, type Store } from '../data/state.js';
import { priorityLabel } from '../panels/alert-badges.js';
import { labelWithState } from '../panels/state-glyph.js';
import { boxCentre, centreInView, fitDistance, subtreeEnd, type FitView } from './camera-fit.js';
import { NodeLabels } from './node-labels.js';
import { RecursionTree } from './recursion-tree.js';
import { Room } from './room.js';
import { DEFAULT_LAYOUT, layoutTree, type TreeLayout } from './tree-layout.js';
import { t } from '../i18n/i18n.js';

/** Pixels a pointer may travel between down and up and still count as a click (not a drag). */
const CLICK_SLOP_PX = 5;
/**
 * From this many nodes the room is drawn without multisampling: with software WebGL (no GPU) a
 * 5,000-node frame costs a few hundred milliseconds, so the room draws only when something changes.
 */
export const LARGE_TREE = 1_500;
/**
 * The camera looks down on the focused subtree from this far above the horizontal (radians):
 * steeply on the whole structure (its rings open up around the root instead of hiding behind it),
 * less so on a branch, seen from outside the structure.
 */
const ROOT_ELEVATION = 1.25;
const ELEVATION = 1.25;
/** Share of the view the focused subtree may fill; the rest is room for its name tags. */
const FIT_FILL = 0.85;
/** The camera stays at least this far from what it looks at (a leaf alone would fill the view). */
const MIN_FIT_DISTANCE = 9;

// Scratch values for fitting the camera.
const scratchCentre = new Float64Array(3);

export interface RoomView {
  dispose(): void;
}

/**
 * The 3D ops room bound to the store: builds the recursion tree from the model, recolours it
 * on every state change, flies the camera to the focused node so that its whole subtree is in
 * view, names the nodes on screen (node-labels.ts) and turns a click on a node or a tag into a
 * focus change. Throws when WebGL cannot start (the caller keeps the 2D view).
 */
export function createRoomView(container: HTMLElement, store: Store, onFocus: (path: string) => void): RoomView {
  const large = (store.get().model?.nodes.length ?? 0) >= LARGE_TREE;
  // No slow turn: the view is fitted to the focus from its own side, and a turning view would
  // carry the subtree out of it and move every name tag every frame.
  const room = new Room(container, { antialias: !large, autoRotate: false });
  let tree: RecursionTree | null = null;
  let labels: NodeLabels | null = null;
  let builtFor: RoomState['model'] = null;
  let layout: TreeLayout | null = null;
  const tooltip = document.createElement('div');
  tooltip.className = 'room-tooltip';
  tooltip.hidden = true;
  container.appendChild(tooltip);
  /** The view's size when the camera was last fitted: a fit is only right for the shape it was made for. */
  let fittedW = 0;
  let fittedH = 0;
  room.onRender(() => {
    if (!labels) return;
    // The view changed shape (a hidden room shown again, a resized window): fit the focus again.
    if ((room.width !== fittedW || room.height !== fittedH) && room.width > 1 && room.height > 1) {
      const s = store.get();
      flyToFocus(s.focus ?? s.model?.scope ?? '', true);
    }
    labels.place(room.camera, room.width, room.height);
    labels.element.dataset.flying = String(room.moving); // tests wait for the camera to arrive
  });

  function build(state: RoomState): void {
    if (!state.model || state.model === builtFor) return;
    builtFor = state.model;
    layout = layoutTree(state.model.nodes, state.model.scope, DEFAULT_LAYOUT);
    const windows = new Map(state.model.nodes.map((n) => [n.path, n.correctionWindowSec] as const));
    const next = new RecursionTree(layout, windows);
    if (tree) {
      room.remove(tree);
      tree.dispose();
    }
    labels?.dispose();
    tree = next;
    room.add(tree);
    labels = new NodeLabels(layout, tree.sizes, onFocus);
    labels.setReserved(reservedRects());
    container.insertBefore(labels.element, tooltip);
    room.setExtent(layout.maxDepth * DEFAULT_LAYOUT.layerGap, layout.maxRadius);
    flyToFocus(state.focus ?? state.model.scope, true);
  }

  /** The toolbar's rectangle in the view, which tags keep clear of. */
  function reservedRects(): number[] {
    const bar = container.querySelector<HTMLElement>('.scene-toolbar');
    if (!bar) return [];
    return [bar.offsetLeft - 4, bar.offsetTop - 4, bar.offsetWidth + 8, bar.offsetHeight + 8];
  }

  /**
   * Fly to the focused node: the camera looks at the middle of its subtree from outside the
   * structure, far enough back that every node of the subtree is in view with room for its tags.
   */
  function flyToFocus(path: string, instant = false): void {
    if (!layout || !tree) return;
    const i = layout.index.get(path);
    if (i === undefined) return;
    // A leaf is shown among its siblings, under its parent (alone it would fill the view).
    const parent = layout.parents[i] as number;
    const from = i + 1 === subtreeEnd(layout.depths, i) && parent >= 0 ? parent : i;
    const end = subtreeEnd(layout.depths, from);
    boxCentre(layout.positions, from, end, scratchCentre);
    // A branch is seen from its own side; the whole structure across its first child's direction,
    // so that the first ring does not line up behind the root.
    const first = from + 1 < end ? from + 1 : from;
    const px = layout.positions[i * 3] as number;
    const pz = layout.positions[i * 3 + 2] as number;
    const azimuth =
      Math.hypot(px, pz) > 1e-6
        ? Math.atan2(pz, px)
        : Math.atan2(layout.positions[first * 3 + 2] as number, layout.positions[first * 3] as number) + Math.PI / 2;
    const elevation = from === 0 ? ROOT_ELEVATION : ELEVATION;
    const ce = Math.cos(elevation);
    const se = Math.sin(elevation);
    const back = [ce * Math.cos(azimuth), se, ce * Math.sin(azimuth)] as const;
    const right = [Math.sin(azimuth), 0, -Math.cos(azimuth)] as const;
    // up = back × right
    const up = [
      back[1] * right[2] - back[2] * right[1],
      back[2] * right[0] - back[0] * right[2],
      back[0] * right[1] - back[1] * right[0],
    ] as const;
    const tanV = Math.tan((room.camera.fov * Math.PI) / 360);
    const view: FitView = { right, up, back, tanH: tanV * room.camera.aspect, tanV, fill: FIT_FILL };
    let distance = fitDistance(layout.positions, tree.sizes, from, end, scratchCentre, view, MIN_FIT_DISTANCE);
    // Centre the picture, not the box (perspective), then fit again: twice converges closely enough.
    for (let k = 0; k < 2; k++) {
      centreInView(layout.positions, tree.sizes, from, end, scratchCentre, view, distance);
      distance = fitDistance(layout.positions, tree.sizes, from, end, scratchCentre, view, MIN_FIT_DISTANCE);
    }
    const [cx, cy, cz] = scratchCentre as unknown as [number, number, number];
    fittedW = room.width;
    fittedH = room.height;
    room.flyTo(cx, cy, cz, distance, azimuth, elevation, instant);
  }

  function paint(state: RoomState, prev: RoomState | null): void {
    build(state);
    if (!tree || !labels || !state.model) return;
    const now = Date.now();
    if (!prev || prev.alerts !== state.alerts || prev.statuses !== state.statuses || prev.model !== state.model)
      setStates(state, now);
    if (!prev || prev.focus !== state.focus || prev.model !== state.model) {
      tree.setFocus(state.focus);
      labels.setFocus(state.focus);
      if (prev && state.focus) flyToFocus(state.focus);
    }
    if (!prev || prev.cursor !== state.cursor || prev.focus !== state.focus) tree.setCursor(state.cursor);
    if (labels.needsPlace) room.invalidate();
  }

  /** Node colours and pulses, and the tags' names and states. */
  function setStates(state: RoomState, now: number): void {
    if (!tree || !labels || !state.model) return;
    for (const n of state.model.nodes) {
      const st = nodeState(state, n.path, now);
      tree.setNode(n.path, st, nextDeadline(state, n.path));
      labels.setNode(n.path, { name: n.name, state: st });
    }
  }

  // Click (not drag) on a node focuses it; hovering names it.
  const canvas = room.renderer.domElement;
  let downX = 0;
  let downY = 0;
  const ndc = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * 2 - 1, -((e.clientY - r.top) / r.height) * 2 + 1];
  };
  const onDown = (e: PointerEvent) => {
    downX = e.clientX;
    downY = e.clientY;
  };
  const onUp = (e: PointerEvent) => {
    if (e.button !== 0 || !tree || Math.hypot(e.clientX - downX, e.clientY - downY) > CLICK_SLOP_PX) return;
    const path = tree.pick(...ndc(e), room.camera);
    if (path) onFocus(path);
  };
  const onMove = (e: PointerEvent) => {
    if (!tree || e.buttons !== 0) {
      tooltip.hidden = true;
      return;
    }
    const path = tree.pick(...ndc(e), room.camera);
    const node = path ? store.get().nodes.get(path) : undefined;
    canvas.classList.toggle('pointing', !!node);
    if (!node || !path) {
      tooltip.hidden = true;
      return;
    }
    const r = container.getBoundingClientRect();
    const st = nodeState(store.get(), path, Date.now());
    const top = topPriority(store.get(), path);
    tooltip.textContent =
      (st === 'normal' ? `${node.name} · ${t('state.normal')}` : labelWithState(node.name, st)) +
      (top ? ` · ${priorityLabel(top)}` : '');
    tooltip.style.left = `${e.clientX - r.left + 14}px`;
    tooltip.style.top = `${e.clientY - r.top + 10}px`;
    tooltip.hidden = false;
  };
  const onLeave = () => {
    tooltip.hidden = true;
  };
  canvas.addEventListener('pointerdown', onDown);
  canvas.addEventListener('pointerup', onUp);
  canvas.addEventListener('pointermove', onMove);
  canvas.addEventListener('pointerleave', onLeave);

  paint(store.get(), null);
  const unsubscribe = store.subscribe((next, prev) => paint(next, prev));
  // Deadlines pass without any event: re-derive node states every second.
  const tick = setInterval(() => {
    setStates(store.get(), Date.now());
    if (labels?.needsPlace) room.invalidate();
  }, 1000);

  return {
    dispose() {
      clearInterval(tick);
      unsubscribe();
      canvas.removeEventListener('pointerdown', onDown);
      canvas.removeEventListener('pointerup', onUp);
      canvas.removeEventListener('pointermove', onMove);
      canvas.removeEventListener('pointerleave', onLeave);
      tooltip.remove();
      labels?.dispose();
      labels = null;
      room.dispose();
      tree = null;
    },
  };
}
