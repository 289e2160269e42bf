import { ancestors } from '@opsroom/models';
import type { Store } from '../data/state.js';
import { el, renderOnFrame } from './frame-render.js';

/** The path up the recursion from the user's scope to the focused node; a click refocuses. */
export class Breadcrumbs {
  private readonly unsubscribe: () => void;
  private readonly list: HTMLOListElement;

  constructor(
    private readonly root: HTMLElement,
    store: Store,
    private readonly onFocus: (path: string) => void,
  ) {
    this.list = el('ol', 'crumbs');
    root.replaceChildren(this.list);
    root.addEventListener('click', this.onClick);
    this.unsubscribe = renderOnFrame(store, (s, prev) => {
      if (prev && prev.focus === s.focus && prev.model === s.model) return;
      this.list.replaceChildren();
      if (!s.focus || !s.model) return;
      const chain = [
        ...ancestors(s.focus)
          .reverse()
          .filter((p) => s.nodes.has(p)),
        s.focus,
      ];
      for (const path of chain) {
        const li = el('li');
        const name = s.nodes.get(path)?.name ?? path;
        if (path === s.focus) {
          const here = el('span', 'crumb current', name);
          here.setAttribute('aria-current', 'location');
          li.appendChild(here);
        } else {
          const b = el('button', 'crumb', name);
          b.type = 'button';
          b.dataset.path = path;
          li.appendChild(b);
        }
        this.list.appendChild(li);
      }
    });
  }

  private readonly onClick = (e: MouseEvent): void => {
    const path = (e.target as HTMLElement).closest<HTMLElement>('button[data-path]')?.dataset.path;
    if (path) this.onFocus(path);
  };

  dispose(): void {
    this.unsubscribe();
    this.root.removeEventListener('click', this.onClick);
    this.root.replaceChildren();
  }
}
