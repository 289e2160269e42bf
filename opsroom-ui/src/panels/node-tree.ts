import type { NodeState } from '@opsroom/models';
import { nodeState, openAlertsOwnedAt, topPriority, type RoomState, type Store } from '../data/state.js';
import { PRIORITY_SHAPES } from './alert-badges.js';
import { el, renderOnFrame } from './frame-render.js';
import { t } from '../i18n/i18n.js';

interface Row {
  item: HTMLLIElement;
  button: HTMLButtonElement;
  state: HTMLSpanElement;
  stateText: HTMLSpanElement;
  badge: HTMLSpanElement;
}

/**
 * The HTML node list: every node of the user's scope as a nested list, with its state and open
 * alert count. Always in the page (the 3D room is an enhancement of it); each entry carries
 * `data-testid="node-<path>"`; a click focuses the node.
 */
export class NodeTree {
  private readonly rows = new Map<string, Row>();
  private readonly unsubscribe: () => void;
  private readonly tick: ReturnType<typeof setInterval>;

  constructor(
    private readonly root: HTMLElement,
    private readonly store: Store,
    private readonly onFocus: (path: string) => void,
  ) {
    root.addEventListener('click', this.onClick);
    this.unsubscribe = renderOnFrame(store, (s, prev) => this.render(s, prev));
    // A deadline passing turns an alert into a crisis without any event.
    this.tick = setInterval(() => this.paintStates(this.store.get()), 1000);
  }

  private render(s: RoomState, prev: RoomState | null): void {
    if (!prev || prev.model !== s.model) this.build(s);
    if (!prev || prev.alerts !== s.alerts || prev.statuses !== s.statuses || prev.model !== s.model)
      this.paintStates(s);
    if (!prev || prev.focus !== s.focus || prev.cursor !== s.cursor || prev.model !== s.model) {
      for (const [path, row] of this.rows) {
        const focused = path === s.focus;
        row.item.classList.toggle('focused', focused);
        row.item.classList.toggle('cursor', path === s.cursor);
        if (focused) row.button.setAttribute('aria-current', 'true');
        else row.button.removeAttribute('aria-current');
      }
      if (prev && prev.focus !== s.focus && s.focus)
        this.rows.get(s.focus)?.button.scrollIntoView({ block: 'nearest' });
    }
  }

  private build(s: RoomState): void {
    this.rows.clear();
    this.root.replaceChildren();
    if (!s.model) return;
    const list = el('ul', 'node-tree');
    const root = s.nodes.get(s.model.scope);
    if (root) list.appendChild(this.item(s, root.path));
    this.root.appendChild(list);
  }

  private item(s: RoomState, path: string): HTMLLIElement {
    const node = s.nodes.get(path);
    const item = el('li', 'node-item');
    item.dataset.testid = `node-${path}`;
    const button = el('button', 'node-button');
    button.type = 'button';
    button.dataset.path = path;
    const state = el('span', 'state-dot');
    state.setAttribute('aria-hidden', 'true');
    const stateText = el('span', 'sr-only');
    const name = el('span', 'node-name', node?.name ?? path);
    const badge = el('span', 'alert-badge');
    button.append(state, stateText, name, badge);
    if (node?.level) button.title = `${node.name} (${node.level})`;
    item.appendChild(button);
    this.rows.set(path, { item, button, state, stateText, badge });
    const kids = (node?.children ?? []).filter((c) => s.nodes.has(c));
    if (kids.length > 0) {
      const sub = el('ul');
      for (const kid of kids) sub.appendChild(this.item(s, kid));
      item.appendChild(sub);
    }
    return item;
  }

  private paintStates(s: RoomState): void {
    const now = Date.now();
    for (const [path, row] of this.rows) {
      const state: NodeState = nodeState(s, path, now);
      if (row.item.dataset.state !== state) {
        row.item.dataset.state = state;
        row.state.className = `state-dot state-${state}`;
        row.state.title = t(`state.${state}`);
        row.stateText.textContent = `${t(`state.${state}`)}: `;
      }
      const open = openAlertsOwnedAt(s, path).length;
      const top = topPriority(s, path);
      const text = open > 0 ? `${open}${top ? ` ${PRIORITY_SHAPES[top]}` : ''}` : '';
      if (row.badge.textContent !== text) {
        row.badge.textContent = text;
        row.badge.title =
          open > 0
            ? t('nodes.badgeTitle', { count: open }) +
              (top ? t('nodes.badgeTop', { priority: t(`priority.${top}`) }) : '')
            : '';
      }
    }
  }

  private readonly onClick = (e: MouseEvent): void => {
    const path = (e.target as HTMLElement).closest<HTMLElement>('button[data-path]')?.dataset.path;
    if (path) this.onFocus(path);
  };

  dispose(): void {
    clearInterval(this.tick);
    this.unsubscribe();
    this.root.removeEventListener('click', this.onClick);
    this.root.replaceChildren();
  }
}
