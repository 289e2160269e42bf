import { nodeState, topPriority, type RoomState, type Store } from '../data/state.js';
import { priorityLabel } from '../panels/alert-badges.js';
import { t } from '../i18n/i18n.js';
import { stateGlyph } from '../panels/state-glyph.js';

export interface FlatRoom {
  dispose(): void;
}

/**
 * The 2D room: the focused node and two levels below it as coloured HTML tiles (same states,
 * same click-to-focus), asked for (`room=2d`) or because WebGL is missing (`reason` says why).
 * Everything else on the page works as usual.
 */
export function createFlatRoom(
  container: HTMLElement,
  store: Store,
  onFocus: (path: string) => void,
  reason: string | null,
): FlatRoom {
  const root = document.createElement('div');
  root.className = 'flat-room';
  const note = document.createElement('p');
  note.className = 'flat-note';
  note.textContent = reason ? t('scene.flatReason', { reason }) : t('scene.flatNote');
  const board = document.createElement('div');
  board.className = 'flat-board';
  root.append(note, board);
  container.appendChild(root);

  const onClick = (e: MouseEvent) => {
    const target = (e.target as HTMLElement).closest<HTMLElement>('[data-path]');
    if (target?.dataset.path) onFocus(target.dataset.path);
  };
  board.addEventListener('click', onClick);

  function tile(state: RoomState, path: string, now: number, big: boolean): HTMLElement {
    const node = state.nodes.get(path);
    const el = document.createElement('button');
    el.type = 'button';
    const st = nodeState(state, path, now);
    el.className = `flat-tile state-${st}${big ? ' big' : ''}${state.cursor === path ? ' cursor' : ''}`;
    el.dataset.path = path;
    el.dataset.state = st;
    // The state in shape and in words beside the colour.
    const glyph = document.createElement('span');
    glyph.className = 'flat-glyph';
    glyph.setAttribute('aria-hidden', 'true');
    glyph.textContent = stateGlyph(st);
    const words = document.createElement('span');
    words.className = st === 'normal' ? 'sr-only' : 'flat-state';
    words.textContent = t(`state.${st}`);
    el.append(glyph, ` ${node?.name ?? path} `, words);
    // The most urgent priority it holds, in bars and a word (alert-badges.ts).
    const top = topPriority(state, path);
    if (top) {
      const prio = document.createElement('span');
      prio.className = `flat-priority priority-${top}`;
      prio.textContent = ` · ${priorityLabel(top)}`;
      el.dataset.priority = top;
      el.append(prio);
    }
    return el;
  }

  function render(state: RoomState): void {
    board.replaceChildren();
    const focus = state.focus ? state.nodes.get(state.focus) : undefined;
    if (!focus) return;
    const now = Date.now();
    board.appendChild(tile(state, focus.path, now, true));
    const row = document.createElement('div');
    row.className = 'flat-row';
    for (const childPath of focus.children) {
      const child = state.nodes.get(childPath);
      if (!child) continue;
      const col = document.createElement('div');
      col.className = 'flat-col';
      col.appendChild(tile(state, childPath, now, false));
      const chips = document.createElement('div');
      chips.className = 'flat-chips';
      for (const g of child.children) if (state.nodes.has(g)) chips.appendChild(tile(state, g, now, false));
      col.appendChild(chips);
      row.appendChild(col);
    }
    board.appendChild(row);
  }

  render(store.get());
  const unsubscribe = store.subscribe((next, prev) => {
    if (
      next.focus !== prev.focus ||
      next.alerts !== prev.alerts ||
      next.statuses !== prev.statuses ||
      next.model !== prev.model ||
      next.cursor !== prev.cursor
    )
      render(next);
  });
  const tick = setInterval(() => render(store.get()), 5000);
  return {
    dispose() {
      clearInterval(tick);
      unsubscribe();
      board.removeEventListener('click', onClick);
      root.remove();
    },
  };
}
