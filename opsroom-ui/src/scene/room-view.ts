import { Vector3 } from 'three';
import { nextDeadline, nodeState, topPriority, type RoomState, type Store } from '../data/state.js';
import { priorityLabel } from '../panels/alert-badges.js';
import { labelWithState } from '../panels/state-glyph.js';
import { NodeLabels, type LabelSpec } from './node-labels.js';
import { RecursionTree } from './recursion-tree.js';
import { Room } from './room.js';
import { DEFAULT_LAYOUT, layoutTree, type TreeLayout } from './tree-layout.js';

/** Pixels a pointer may travel between down and up and still count as a click (not a drag). */
const CLICK_SLOP_PX = 5;
/**
 * From this many nodes the room is drawn without multisampling and does not turn by itself:
 * with software WebGL (no GPU) a 5,000-node frame costs a few hundred milliseconds, so the room
 * draws only when something changes.
 */
export const LARGE_TREE = 1_500;
/** Children get name tags only up to this many (more would pile up; the node list names them all). */
const MAX_CHILD_LABELS = 16;

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
  const large = (store.get().model?.nodes.length ?? 0) >= LARGE_TREE;
  const room = new Room(container, { antialias: !large, autoRotate: !large });
  const labels = new NodeLabels();
  room.add(labels);
  let tree: RecursionTree | null = null;
  let builtFor: RoomState['model'] = null;
  let layout: TreeLayout | null = null;
  /** What the name tags show, to redraw them only when a name or a state changed. */
  let labelKey = '';
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
      for (const n of state.model.nodes)
        tree.setNode(n.path, nodeState(state, n.path, now), nextDeadline(state, n.path));
    }
    if (!prev || prev.focus !== state.focus || prev.model !== state.model) {
      tree.setFocus(state.focus);
      if (state.focus && layout && tree.positionOf(state.focus, scratchTarget)) {
        // Look at the middle of the focused subtree, not at its top.
        const i = layout.index.get(state.focus) as number;
        const below = state.nodes.get(state.focus)?.children.length
          ? layout.maxDepth - (layout.depths[i] as number)
          : 0;
        room.lookAt(scratchTarget.x, scratchTarget.y - (below * DEFAULT_LAYOUT.layerGap) / 2, scratchTarget.z);
      }
    }
    if (
      !prev ||
      prev.focus !== state.focus ||
      prev.alerts !== state.alerts ||
      prev.statuses !== state.statuses ||
      prev.model !== state.model
    )
      relabel(state);
    if (!prev || prev.cursor !== state.cursor || prev.focus !== state.focus) tree.setCursor(state.cursor);
  }

  function relabel(state: RoomState): void {
    if (!tree) return;
    const specs = labelsFor(state, tree, Date.now());
    const key = specs.map((l) => `${l.text}|${l.state}|${l.strong === true}`).join('\n');
    if (key === labelKey) return;
    labelKey = key;
    labels.set(specs);
    room.invalidate();
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
      (st === 'normal' ? `${node.name} · normal` : labelWithState(node.name, st)) +
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
    const s = store.get();
    if (!tree || !s.model) return;
    for (const n of s.model.nodes) tree.setNode(n.path, nodeState(s, n.path, Date.now()), nextDeadline(s, n.path));
    relabel(s);
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

/** Name tags for the focused node and its children, each with its state in shape and words. */
function labelsFor(state: RoomState, tree: RecursionTree, now: number): LabelSpec[] {
  const focus = state.focus ? state.nodes.get(state.focus) : undefined;
  if (!focus) return [];
  const out: LabelSpec[] = [];
  const children = focus.children.length <= MAX_CHILD_LABELS ? focus.children : [];
  for (const path of [focus.path, ...children]) {
    const node = state.nodes.get(path);
    if (!node || !tree.positionOf(path, scratchLabel)) continue;
    const st = nodeState(state, path, now);
    // The tag draws the state's shape itself; the text says the state in words.
    out.push({
      text: st === 'normal' ? node.name : `${node.name} · ${st}`,
      x: scratchLabel.x,
      y: scratchLabel.y,
      z: scratchLabel.z,
      strong: path === focus.path,
      state: st,
    });
  }
  return out;
}
