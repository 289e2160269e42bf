import type { Store } from '../data/state.js';
import { renderOnFrame } from './frame-render.js';
import { t } from '../i18n/i18n.js';

const ROLES = ['council', 'planner', 'admin'] as const;

/** A role in the active language (a role the room does not know as it is). */
function roleWord(role: string): string {
  const known = ROLES.find((r) => r === role);
  return known ? t(`role.${known}`) : role;
}

/** The header's right side: who is signed in, at what scope, whether the live link is up. */
export class SessionBar {
  private readonly unsubscribe: () => void;

  constructor(root: HTMLElement, store: Store) {
    const user = root.querySelector('.session-user') as HTMLElement;
    const link = root.querySelector('.connection') as HTMLElement;
    const orgName = document.querySelector('.org-name') as HTMLElement | null;
    this.unsubscribe = renderOnFrame(store, (s, prev) => {
      if (!prev || prev.user !== s.user)
        user.textContent = s.user ? `${s.user.name} · ${roleWord(s.user.role)} · ${s.user.scope}` : '';
      if (!prev || prev.connection !== s.connection) {
        link.textContent = t(`connection.${s.connection}`);
        link.dataset.status = s.connection;
      }
      if (orgName && (!prev || prev.model !== s.model)) orgName.textContent = s.model?.name ?? '';
    });
  }

  dispose(): void {
    this.unsubscribe();
  }
}
