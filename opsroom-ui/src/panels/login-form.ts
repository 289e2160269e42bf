import type { OpsroomApi } from '../data/api.js';
import type { SessionUser } from '../data/state.js';

/**
 * The sign-in form (`data-testid="login-form"`): username and password -> POST /api/login
 * (which sets the session cookie), then `onSignedIn` loads the room.
 */
export class LoginForm {
  private readonly form: HTMLFormElement;
  private readonly message: HTMLElement;
  private busy = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: OpsroomApi,
    private readonly onSignedIn: (user: SessionUser) => void,
  ) {
    this.form = root.querySelector('form') as HTMLFormElement;
    this.message = root.querySelector('.login-message') as HTMLElement;
    this.form.addEventListener('submit', this.onSubmit);
  }

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
      this.message.textContent = 'Enter your user name and password.';
      return;
    }
    this.busy = true;
    this.message.textContent = 'Signing in…';
    try {
      const { user } = await this.api.login(username, password);
      this.hide();
      this.onSignedIn(user);
    } catch (err) {
      this.message.textContent =
        (err as { status?: number }).status === 401 ? 'Wrong user name or password; try again.' : (err as Error).message;
    } finally {
      this.busy = false;
    }
  };

  dispose(): void {
    this.form.removeEventListener('submit', this.onSubmit);
  }
}
