import { Vector3 } from 'three';
import { nextDeadline, nodeState, type RoomState, type Store } from '../data/state.js';
import { NodeLabels, type LabelSpec } from './node-labels.js';
import { RecursionTree } from './recursion-tree.js';
import { Room } from './room.js';
import { DEFAULT_LAYOUT, layoutTree, type TreeLayout } from './tree-layout.js';

/** Pixels a pointer may travel between down and up and still count as a click (not a drag). */
const CLICK_SLOP_PX = 5;

const scratchTarget = new Vector3();
const scratchLabel = new Vector3();

export interface RoomView {
  dispose(): void;
}

/**
 * The 3D ops room bound to the store: builds the recursion tree from the model, recolours it
 * on every state change, eases the camera to the focus and turns a click on a node into a focus
 * change. Throws when WebGL cannot start (the caller keeps the 2D view).
 */
export function createRoomView(container: HTMLElement, store: Store, onFocus: (path: string) => void): RoomView {
  const room = new Room(container);
  const labels = new NodeLabels();
  room.add(labels);
  let tree: RecursionTree | null = null;
  let builtFor: RoomState['model'] = null;
  let layout: TreeLayout | null = null;
  const tooltip = document.createElement('div');
  tooltip.className = 'room-tooltip';
  tooltip.hidden = true;
  container.appendChild(tooltip);

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
    tree = next;
    room.add(tree);
    room.fitStructure(layout.maxRadius, layout.maxDepth * DEFAULT_LAYOUT.layerGap);
  }

  function paint(state: RoomState, prev: RoomState | null): void {
    build(state);
    if (!tree || !state.model) return;
    const now = Date.now();
    if (!prev || prev.alerts !== state.alerts || prev.statuses !== state.statuses || prev.model !== state.model) {
      for (const n of state.model.nodes) tree.setNode(n.path, nodeState(state, n.path, now), nextDeadline(state, n.path));
    }
    if (!prev || prev.focus !== state.focus || prev.model !== state.model) {
      tree.setFocus(state.focus);
      if (state.focus && layout && tree.positionOf(state.focus, scratchTarget)) {
        // Look at the middle of the focused subtree, not at its top.
        const i = layout.index.get(state.focus) as number;
        const below = state.nodes.get(state.focus)?.children.length ? layout.maxDepth - (layout.depths[i] as number) : 0;
        room.lookAt(scratchTarget.x, scratchTarget.y - (below * DEFAULT_LAYOUT.layerGap) / 2, scratchTarget.z);
      }
      labels.set(labelsFor(state, tree));
    }
    if (!prev || prev.cursor !== state.cursor || prev.focus !== state.focus) tree.setCursor(state.cursor);
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
    tooltip.textContent = `${node.name} · ${nodeState(store.get(), path, Date.now())}`;
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
    const s = store.get();
    if (tree && s.model) for (const n of s.model.nodes) tree.setNode(n.path, nodeState(s, n.path, Date.now()), nextDeadline(s, n.path));
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
      room.dispose();
      tree = null;
    },
  };
}

/** Name tags for the focused node and its children. */
function labelsFor(state: RoomState, tree: RecursionTree): LabelSpec[] {
  const focus = state.focus ? state.nodes.get(state.focus) : undefined;
  if (!focus) return [];
  const out: LabelSpec[] = [];
  for (const path of [focus.path, ...focus.children]) {
    const node = state.nodes.get(path);
    if (!node || !tree.positionOf(path, scratchLabel)) continue;
    out.push({ text: node.name, x: scratchLabel.x, y: scratchLabel.y, z: scratchLabel.z, strong: path === focus.path });
  }
  return out;
}
