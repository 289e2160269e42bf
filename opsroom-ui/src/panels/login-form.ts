import type { DemoLogin, OpsroomApi } from '../data/api.js';
import type { SessionUser } from '../data/state.js';
import { el } from './frame-render.js';
import { t } from '../i18n/i18n.js';

/**
 * The sign-in form (`data-testid="login-form"`): username and password -> POST /api/login
 * (which sets the session cookie), then `onSignedIn` loads the room. When the server runs the
 * demo it lists the demo's logins (`data-testid="demo-logins"`); a click on one fills the form.
 */
export class LoginForm {
  private readonly form: HTMLFormElement;
  private readonly message: HTMLElement;
  private readonly demo: HTMLElement;
  private busy = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: OpsroomApi,
    private readonly onSignedIn: (user: SessionUser) => void,
  ) {
    this.form = root.querySelector('form') as HTMLFormElement;
    this.message = root.querySelector('.login-message') as HTMLElement;
    this.demo = root.querySelector('.demo-logins') as HTMLElement;
    this.form.addEventListener('submit', this.onSubmit);
    this.demo.addEventListener('click', this.onPick);
  }

  /** The demo's logins from GET /api/session (none unless the server runs the demo): shown under the form. */
  setDemoLogins(logins: readonly DemoLogin[]): void {
    const list = this.demo.querySelector('ul') as HTMLUListElement;
    list.replaceChildren(
      ...logins.map((l) => {
        const item = el('li');
        const pick = el('button', 'link demo-login');
        pick.type = 'button';
        pick.dataset.username = l.username;
        pick.dataset.password = l.password;
        pick.append(
          el('span', 'demo-user', l.username),
          el('code', 'demo-password', l.password),
          el('span', 'demo-role', l.role),
        );
        pick.title = t('login.demoFill', { user: l.username });
        item.appendChild(pick);
        return item;
      }),
    );
    this.demo.hidden = logins.length === 0;
  }

  private readonly onPick = (e: MouseEvent): void => {
    const pick = (e.target as HTMLElement).closest<HTMLButtonElement>('button.demo-login');
    if (!pick) return;
    (this.form.elements.namedItem('username') as HTMLInputElement).value = pick.dataset.username ?? '';
    (this.form.elements.namedItem('password') as HTMLInputElement).value = pick.dataset.password ?? '';
    (this.form.querySelector('button[type="submit"]') as HTMLButtonElement).focus();
  };

  show(message = ''): void {
    this.root.hidden = false;
    this.message.textContent = message;
    (this.form.elements.namedItem('password') as HTMLInputElement).value = '';
    (this.form.elements.namedItem('username') as HTMLInputElement).focus();
  }

  hide(): void {
    this.root.hidden = true;
    this.message.textContent = '';
  }

  private readonly onSubmit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    if (this.busy) return;
    const username = (this.form.elements.namedItem('username') as HTMLInputElement).value.trim();
    const password = (this.form.elements.namedItem('password') as HTMLInputElement).value;
    if (!username || !password) {
      this.message.textContent = t('login.missing');
      return;
    }
    this.busy = true;
    this.message.textContent = t('login.busy');
    try {
      const { user } = await this.api.login(username, password);
      this.hide();
      this.onSignedIn(user);
    } catch (err) {
      this.message.textContent =
        (err as { status?: number }).status === 401 ? t('login.wrong') : (err as Error).message;
    } finally {
      this.busy = false;
    }
  };

  dispose(): void {
    this.form.removeEventListener('submit', this.onSubmit);
    this.demo.removeEventListener('click', this.onPick);
  }
}
